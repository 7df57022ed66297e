"""Facilitator accounts: sign-in, sessions, API tokens, account invitations."""
