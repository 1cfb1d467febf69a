"""Lead partners behind one interface (`partner.Partner`) and a registry (`registry`): Thumbtack, Angi and the
generic signed JSON, each in its own format and authentication; integrations and diagnostics; the one path a
delivery takes into the Bookings inbox (`ingest`)."""
