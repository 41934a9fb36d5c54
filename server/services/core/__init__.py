"""The small core the use cases of every domain share: the unit of work they run in, idempotent requests,
the ticket history, look-ups by id that answer 404, and retries after a concurrent change."""
