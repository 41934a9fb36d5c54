"""Site boxes: an intake point served by its own box on its LAN, attached to an upstream server.

- ``links``    on the upstream: the box tokens (``luot site-box add`` / ``revoke``) and the sync status
- ``rows``     row images as JSON, and storing them again (upserts that work on SQLite and PostgreSQL)
- ``journal``  on a box: every committed change of its site becomes an outgoing change row, in the
               same transaction, with the ids of its new rows in the box's own range
- ``upstream`` on the upstream: storing a box's changes (one use case) and refusing what a box owns;
               the configuration a box pulls
- ``box``      on a box: taking the pulled configuration and bookings, the changes to send

The transport (HTTP, pushed by the box) is in :mod:`server.jobs.site_box`; docs/site-boxes.md says why.
"""
