"""The addresses Lượt hands to citizens: a ticket's live status page and an appointment's private page.

``base`` is the installation's public address (:class:`server.config.PublicAddress`): what a phone on the
centre's network uses to reach the server, printed in QR codes and links.
"""

from __future__ import annotations

from urllib.parse import quote


def status_url(base: str, public_code: str) -> str:
    return f"{base.rstrip('/')}/t/{public_code}"


def manage_url(base: str, code: str, token: str) -> str:
    return f"{base.rstrip('/')}/book/{code}?token={quote(token)}"
