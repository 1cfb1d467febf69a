"""Domain events: written to an outbox in the transaction of the change, then put on the bus."""
