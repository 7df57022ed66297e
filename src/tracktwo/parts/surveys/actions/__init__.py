"""The surveys part's actions: every state change, called alike by pages, API and CLI."""
