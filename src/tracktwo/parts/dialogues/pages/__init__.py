"""The dialogues part's server-rendered pages."""
