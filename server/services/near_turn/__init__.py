""" "Your turn is near" and "you are called" messages, and remote tickets (joining before arriving).

- :mod:`.messages` decides, from the queue as committed, which messages are due and queues them in the
  tickets' outbox (``ticket_messages``), once per ticket and kind;
- :mod:`.delivery` hands queued messages to the site's chain of notifiers (ZNS, then SMS…), with retries;
- :mod:`.views` is what managers see: each message's delivery state and the day's figures.
"""
