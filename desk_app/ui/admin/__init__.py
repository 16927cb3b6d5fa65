"""The Admin area: users and shared settings."""
