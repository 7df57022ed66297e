"""The workshops part's server-rendered pages."""
