"""Every state change, as one function used alike by the web pages, the JSON API and the CLI.

Actions take an open SQLAlchemy session and the acting user (``None`` only for the CLI, which
acts with the authority of whoever runs it on the server). They check authorisation
themselves, so no surface can forget to, and raise :mod:`tracktwo.errors` exceptions whose
message is shown to the user as it is.
"""
