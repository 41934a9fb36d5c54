"""Use cases: each runs in one transaction (a unit of work) and publishes the events it produced."""
