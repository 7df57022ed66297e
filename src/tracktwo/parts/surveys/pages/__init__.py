"""The surveys part's server-rendered pages."""
