"""Leadline: the domain shared by every function (models, rules, data access, the staff API edge)."""
