"""Leads and the jobs they convert into."""
