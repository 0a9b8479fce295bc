"""Accounts: registration, login, e-mail verification, passwords and roles held in a scope."""
