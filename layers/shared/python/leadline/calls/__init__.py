"""Calls: vendor events in, one converging call record out, attributed to a campaign by its DNIS."""
