"""Initiatives, their declared sides, and who may do what in them (roles)."""
