"""Lead partners: Thumbtack, Angi and the generic signed JSON, each in its own format and authentication."""
