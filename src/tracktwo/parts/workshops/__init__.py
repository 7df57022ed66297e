"""Workshops: a triggering question, ideas, votes and a map of influences (ISM), then an action
plan.
"""
