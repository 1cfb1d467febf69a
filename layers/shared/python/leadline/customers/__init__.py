"""Customers and their locations."""
