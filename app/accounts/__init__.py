"""Accounts: registration, identity, log-in, tokens, account settings."""
