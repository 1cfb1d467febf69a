"""The telephony webhooks' HTTP edge: authenticate each vendor its own way, parse, apply."""
