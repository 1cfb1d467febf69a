"""Notifications: who hears of what, on which channel, once."""
