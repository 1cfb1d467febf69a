"""Workflows: what happens across calls, leads, Second Chance Leads and partners, above each of them."""
