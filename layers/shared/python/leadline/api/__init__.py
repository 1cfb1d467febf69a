"""The HTTP edges, in one place: the staff API, the telephony and partner webhooks, and the website's public API."""
