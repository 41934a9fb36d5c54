"""Wall display use cases (màn hình hiển thị): a site's notices, each display's choice of counters and
services, and what the announcement of a call says.

A display's choice lives in its device record's ``settings``::

    {"counters": ["Q1", "Q2"], "services": ["HT"], "sound": true}

``counters`` and ``services`` are codes of the display's site; an empty or missing list means all of them.
``sound: false`` silences a display that shares a hall with another one that speaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db.models import Counter, Device, Notice, Service, Site
from ..db.repositories import Repositories
from ..domain.access import DeviceKind, Principal
from ..domain.announcement import call_words
from ..domain.errors import N_, InvalidValue, NotFound
from ..domain.events import NoticesChanged
from ..domain.notices import NoticeInfo, check_notices
from .audit import record_action
from .core.lookups import get_site
from .core.unit_of_work import UnitOfWork
from .queue.state import local_time

Reading = tuple[str, list[str]]


@dataclass(frozen=True, kw_only=True)
class ReplaceNotices:
    """Replace a site's notices. ``actor`` None is the installation's operator at the command line."""

    actor: Principal | None
    site_id: int
    notices: tuple[NoticeInfo, ...]
    at: datetime


@dataclass(frozen=True)
class DisplayInfo:
    id: int
    site_id: int
    site_code: str
    name: str
    settings: dict[str, Any]
    revoked: bool


def list_notices(session: Session, actor: Principal, site_id: int) -> list[NoticeInfo]:
    """A site's notices in their order, active or not (a display shows each in its period)."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_listen(site.id))
    return notices_of(session, site)


def replace_notices(cmd: ReplaceNotices, uow: UnitOfWork) -> list[NoticeInfo]:
    """Replace a site's list of notices (managers and admins of the site); displays are told at once."""
    notices = check_notices(cmd.notices)
    with uow:
        session = uow.session
        site = get_site(uow.sites, cmd.site_id)
        if cmd.actor is not None:
            cmd.actor.require(cmd.actor.can_manage(site.id))
        session.execute(delete(Notice).where(Notice.site_id == site.id))
        for position, notice in enumerate(notices):
            session.add(
                Notice(
                    site_id=site.id,
                    position=position,
                    text=notice.text,
                    starts_at=notice.starts_at,
                    ends_at=notice.ends_at,
                    updated_at=cmd.at,
                )
            )
        if cmd.actor is not None:
            record_action(session, cmd.actor, "notices_replaced", cmd.at, site.id, count=len(notices))
        session.flush()
        stored = notices_of(session, site)
        uow.emit(NoticesChanged(site_id=site.id, notices=tuple(stored), at=cmd.at))
        uow.commit()
        return stored


def notices_of(session: Session, site: Site) -> list[NoticeInfo]:
    """A site's notices in their order, times in the site's zone (no access check: callers make it)."""
    rows = session.scalars(select(Notice).where(Notice.site_id == site.id).order_by(Notice.position))
    return [
        NoticeInfo(
            id=row.id,
            text=row.text,
            starts_at=local_time(site, row.starts_at) if row.starts_at else None,
            ends_at=local_time(site, row.ends_at) if row.ends_at else None,
        )
        for row in rows
    ]


def site_by_code(session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound(N_("There is no site with the code %(site)s."), code="unknown_site", site=code)
    return site


# -- which counters and services a display shows -------------------------------------------------


def list_displays(session: Session, site_code: str | None = None) -> list[DisplayInfo]:
    query = (
        select(Device, Site.code)
        .join(Site, Site.id == Device.site_id)
        .where(Device.kind == DeviceKind.DISPLAY.value)
        .order_by(Site.code, Device.id)
    )
    if site_code is not None:
        query = query.where(Site.id == site_by_code(session, site_code).id)
    return [_display_info(device, code) for device, code in session.execute(query)]


def configure_display(
    uow: UnitOfWork,
    device_id: int,
    *,
    counters: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
    sound: bool | None = None,
) -> DisplayInfo:
    """Set which counters and services a display shows (codes of its site; empty = all) and whether it
    speaks. ``None`` leaves a setting as it is."""
    with uow:
        session = uow.session
        device = session.get(Device, device_id)
        if device is None or device.kind != DeviceKind.DISPLAY.value:
            raise NotFound(
                N_("There is no display with the id %(id)s."), code="unknown_display", id=device_id
            )
        settings = dict(device.settings or {})
        if counters is not None:
            known = set(session.scalars(select(Counter.code).where(Counter.site_id == device.site_id)))
            settings["counters"] = _checked_codes(counters, known, N_("The site has no counter %(name)s."))
        if services is not None:
            known = set(session.scalars(select(Service.code).where(Service.site_id == device.site_id)))
            settings["services"] = _checked_codes(services, known, N_("The site has no service %(name)s."))
        if sound is not None:
            settings["sound"] = sound
        device.settings = settings  # a new dict, so the JSON column is written
        site_code = session.get_one(Site, device.site_id).code
        info = _display_info(device, site_code)
        uow.commit()
        return info


def _checked_codes(codes: Sequence[str], known: set[str], message: str) -> list[str]:
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidValue(message, code="unknown_code", name=unknown[0])
    return list(dict.fromkeys(codes))


def _display_info(device: Device, site_code: str) -> DisplayInfo:
    return DisplayInfo(
        id=device.id,
        site_id=device.site_id,
        site_code=site_code,
        name=device.name,
        settings=dict(device.settings or {}),
        revoked=device.revoked_at is not None,
    )


# -- announcements -------------------------------------------------------------------------------


def announcement_readings(
    session: Session, actor: Principal, site_id: int, number: str, counter_number: int
) -> list[Reading]:
    """What the announcement of ``number`` called to counter ``counter_number`` says: Vietnamese, then
    English where the site asks for it (``announce_english`` in the site-configuration file)."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_listen(site.id))
    if counter_number not in {c.number for c in site.counters}:
        raise NotFound(N_("There is no such counter."))
    languages = ["vi", "en"] if site.announce_english else ["vi"]
    return [(language, call_words(number, counter_number, language)) for language in languages]
