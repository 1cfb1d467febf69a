"""The API the company's website calls: online bookings and dynamic number insertion."""
