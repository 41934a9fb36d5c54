"""Leases: which process runs a job that the installation must run once (its scheduler).

A lease is a row taken and renewed with one conditional upsert (:func:`server.db.booking.take_lease`), so
two processes can never both hold it; one that stops gives it up, one that dies lets it expire.
"""

from __future__ import annotations

from datetime import datetime

from ..db.booking import give_up_lease, take_lease
from .core.unit_of_work import UnitOfWork


def hold(uow: UnitOfWork, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew lease ``name`` for ``holder``; ``False`` while another holder's has not expired."""
    with uow:
        held = take_lease(uow.session, name, holder, now, until)
        uow.commit()
        return held


def release(uow: UnitOfWork, name: str, holder: str) -> None:
    with uow:
        give_up_lease(uow.session, name, holder)
        uow.commit()
