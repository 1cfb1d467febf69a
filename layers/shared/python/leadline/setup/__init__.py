"""Set-up records: the company's settings, campaigns, tracking numbers, business units, job types,
call reasons, employees and roles, with the rules from the field."""
