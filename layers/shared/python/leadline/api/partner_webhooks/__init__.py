"""The lead partners' webhooks: the HTTP edge."""
