"""The staff API's HTTP edge: Powertools resolver, request schemas, routes. Each route calls one domain function."""
