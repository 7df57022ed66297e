"""Structured-dialogue workshops: the pure cores (ISM influence maps, clustering, figures).

Nothing in this package touches the database or the web; the workshop service builds on it.
"""
