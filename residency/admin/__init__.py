"""Admin pages of the network: users and their roles, the audit log, the system's health."""
