"""Second Chance Leads: calls a CSR let slip, found again and put in front of someone to call back."""
