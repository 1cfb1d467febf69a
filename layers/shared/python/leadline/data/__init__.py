"""Data access: the PynamoDB models and one repository per aggregate. Nothing else talks to DynamoDB."""
