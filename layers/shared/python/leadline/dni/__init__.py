"""Dynamic number insertion: a number from the company's pool per website visitor, and calls attributed to it."""
