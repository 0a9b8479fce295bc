"""Core: database wiring, security, languages, jobs, health and the home page."""
