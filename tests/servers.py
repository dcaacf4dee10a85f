"""Loopback SMTP server and HTTP receiver fixtures (being written)."""
