"""On the upstream: storing a box's changes as the upstream's own rows (one use case), refusing the
writes a box owns, and the configuration and bookings a box pulls."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ...db.engine import Database
from ...db.models import (
    ApiToken,
    Appointment,
    Commune,
    Counter,
    CounterService,
    Device,
    Notice,
    Procedure,
    Service,
    Site,
    SiteBoxLink,
    User,
    UserSite,
)
from ...domain import sync
from ...domain.errors import N_, BadRequest, Conflict, Forbidden
from ...domain.events import Event
from ..core.unit_of_work import UnitOfWork
from . import rows
from .journal import APPLYING, touched_rows
from .links import box_site_ids

MAX_BATCH = 500


class Guard:
    """The upstream's ``before_numbering`` hook: a site-box site's queue is written by its box only.

    Writes of the tables a box owns for such a site are refused (409 ``site_box_owns``); the site's
    other events (a booking) are not numbered nor sent here: the box numbers its site's stream, and the
    booking reaches the site's screens from the box once it has pulled it."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def __call__(self, session: Session, events: list[Event]) -> list[Event]:
        if session.info.get(APPLYING):
            return events
        session.flush()
        owned = {t.site_id for t in touched_rows(session) if t.owned}
        candidates = owned | {e.site_id for e in events if e.sequenced and not e.seq}
        if not candidates:
            return events
        sites = box_site_ids(session, candidates)
        if not sites:
            return events
        if owned & sites:
            raise Conflict(
                N_("This site is served by its own site box: do this on the site's box."),
                code="site_box_owns",
            )
        return [e for e in events if not (e.sequenced and e.site_id in sites and not e.seq)]


@dataclass(frozen=True)
class Applied:
    applied: int
    seq: int
    events: int


def _check(change: dict[str, Any], site_id: int) -> None:
    if not isinstance(change.get("number"), int) or not isinstance(change.get("seq"), int):
        raise BadRequest(N_("The request is malformed."))
    images = change.get("rows") or {}
    if not isinstance(images, dict) or not isinstance(change.get("events") or [], list):
        raise BadRequest(N_("The request is malformed."))
    for name, found in images.items():
        if name not in sync.OWNED_TABLES or not isinstance(found, list):
            raise BadRequest(N_("The request is malformed."))
        for image in found:
            if not isinstance(image, dict) or image.get("site_id") != site_id:
                raise Forbidden(N_("A site box may send only its own site's records."), code="other_site")
            if name in sync.NUMBERED_TABLES and not (
                sync.id_base(name, site_id) < int(image.get("id") or 0) < sync.id_limit(name, site_id)
            ):
                raise Forbidden(N_("A site box may send only its own site's records."), code="other_site")
    for document in change.get("events") or []:
        if not isinstance(document, dict) or (document.get("data") or {}).get("site_id") != site_id:
            raise Forbidden(N_("A site box may send only its own site's records."), code="other_site")


def _store(session: Session, site_id: int, batch: Sequence[dict[str, list[dict[str, Any]]]]) -> None:
    """Store the row images of a batch's changes: each row's last image only, table by table in the
    owned tables' order (a row's references come first), and the tables a box creates with one
    statement per table rather than one per row (the catch-up's cost is here)."""
    last: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {name: {} for name in sync.OWNED_TABLES}
    for images in batch:
        for name in sync.OWNED_TABLES:
            keys = [c.name for c in rows.table(name).primary_key.columns]
            for image in images.get(name, []):
                if name == "print_jobs" and image.get("status") == "queued":
                    continue  # stored once printed or given up: the upstream's spooler never takes it
                key = tuple(image.get(k) for k in keys)
                last[name].pop(key, None)
                last[name][key] = image
    for name in sync.OWNED_TABLES:
        found = list(last[name].values())
        if name in ("counters", "appointments"):
            _store_rows(session, site_id, name, found)
        elif found:
            rows.upsert_many(session, name, found)


def _store_rows(session: Session, site_id: int, name: str, images: Sequence[dict[str, Any]]) -> None:
    """Counters take only their runtime columns, appointments only the check-in: one update per row."""
    for image in images:
        values = rows.parse(name, image)
        if name == "counters":
            values.pop("id", None)
            values.pop("site_id", None)
            session.execute(
                update(Counter).where(Counter.id == image["id"], Counter.site_id == site_id).values(**values)
            )
        else:
            session.execute(
                update(Appointment)
                .where(Appointment.id == image["id"], Appointment.site_id == site_id)
                .values(status=values["status"], updated_at=values["updated_at"])
            )


def apply_changes(
    uow: UnitOfWork,
    link_id: int,
    changes: Sequence[dict[str, Any]],
    box_seq: int,
    box_changes: int,
    at: datetime,
) -> Applied:
    """Store a box's changes in order, each once: numbers already stored are skipped, and the batch
    stops at a gap (the box sends again from :attr:`Applied.applied`). Then the changes' events go on
    the upstream's bus with the box's ``seq``, so that the upstream's screens see what the box's saw."""
    if len(changes) > MAX_BATCH:
        raise BadRequest(N_("The request is too large."))
    with uow:
        session = uow.session
        session.info[APPLYING] = True
        uow.lock(f"site-box:{link_id}")
        link = session.get(SiteBoxLink, link_id)
        assert link is not None
        site_id = link.site_id
        for change in changes:
            _check(change, site_id)
        applied = (
            session.scalar(
                select(SiteBoxLink.applied)
                .where(SiteBoxLink.site_id == site_id)
                .order_by(SiteBoxLink.applied.desc())
            )
            or 0
        )
        site = session.get(Site, site_id)
        assert site is not None
        seq = site.event_seq
        published = 0
        stored: list[dict[str, list[dict[str, Any]]]] = []
        for change in sorted(changes, key=lambda c: int(c["number"])):
            number = int(change["number"])
            if number <= applied:
                continue
            if number != applied + 1:
                break
            stored.append(change.get("rows") or {})
            for document in change.get("events") or []:
                try:
                    uow.emit(sync.decode_event(document))
                    published += 1
                except (sync.UnknownEvent, KeyError, TypeError, ValueError):
                    continue  # a newer box's event: its rows are stored all the same
            seq = max(seq, int(change["seq"]))
            applied = number
        _store(session, site_id, stored)
        session.execute(update(Site).where(Site.id == site_id).values(event_seq=seq))
        session.execute(
            update(SiteBoxLink)
            .where(SiteBoxLink.site_id == site_id)
            .values(applied=applied, box_seq=box_seq, box_changes=box_changes)
        )
        link.last_seen_at = at
        uow.commit()
        return Applied(applied=applied, seq=seq, events=published)


def seen(uow: UnitOfWork, link_id: int, box_seq: int, box_changes: int, at: datetime) -> Applied:
    """A box said hello: note the time and what it holds; answer where it should resume."""
    with uow:
        session = uow.session
        link = session.get(SiteBoxLink, link_id)
        assert link is not None
        link.last_seen_at = at
        if box_seq or box_changes:
            link.box_seq, link.box_changes = box_seq, box_changes
        site = session.get(Site, link.site_id)
        assert site is not None
        applied = (
            session.scalar(
                select(SiteBoxLink.applied)
                .where(SiteBoxLink.site_id == link.site_id)
                .order_by(SiteBoxLink.applied.desc())
            )
            or 0
        )
        uow.commit()
        return Applied(applied=applied, seq=site.event_seq, events=0)


# -- what a box pulls ----------------------------------------------------------------------------------


def _all(session: Session, model: Any, *conditions: Any) -> list[dict[str, Any]]:
    t = model.__table__
    return [rows.image(r, [c.name for c in t.columns]) for r in session.execute(select(t).where(*conditions))]


SITE_LOCAL = ("event_seq",)
USER_LOCAL = ("failed_logins", "locked_until")
COUNTER_CONFIG = ("id", "site_id", "code", "number", "name")
APPOINTMENT_PAGE = 500


def site_feed(session: Session, site_id: int, appointments_after: str, now: datetime) -> dict[str, Any]:
    """The site's configuration, accounts and devices (with a digest, so that an unchanged one is not
    stored again), and its appointments changed after the cursor (a page of them, oldest first)."""
    site = session.get(Site, site_id)
    assert site is not None
    users = select(UserSite.user_id).where(UserSite.site_id == site_id)
    site_services = select(Service.code).where(Service.site_id == site_id)
    config: dict[str, Any] = {
        "communes": _all(session, Commune, Commune.id == site.commune_id),
        "sites": [
            {k: v for k, v in image.items() if k not in SITE_LOCAL}
            for image in _all(session, Site, Site.id == site_id)
        ],
        "services": _all(session, Service, Service.site_id == site_id),
        "counters": [
            {k: image[k] for k in COUNTER_CONFIG}
            for image in _all(session, Counter, Counter.site_id == site_id)
        ],
        "counter_services": _all(
            session,
            CounterService,
            CounterService.counter_id.in_(select(Counter.id).where(Counter.site_id == site_id)),
        ),
        "users": [
            {k: v for k, v in image.items() if k not in USER_LOCAL}
            for image in _all(session, User, or_(User.id.in_(users), User.role == "admin"))
        ],
        "user_sites": _all(session, UserSite, UserSite.site_id == site_id),
        "devices": _all(session, Device, Device.site_id == site_id),
        "api_tokens": [
            {k: v for k, v in image.items() if k != "id"}
            for image in _all(
                session,
                ApiToken,
                ApiToken.device_id.in_(select(Device.id).where(Device.site_id == site_id)),
            )
        ],
        "notices": _all(session, Notice, Notice.site_id == site_id),
        # the procedure guide of the site's services (hidden ones too: a procedure left the file)
        "procedures": _all(session, Procedure, Procedure.service_code.in_(site_services)),
    }
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    query = select(Appointment.__table__).where(Appointment.site_id == site_id)
    if appointments_after:
        # From the cursor's moment on, that moment included: a change made in the same instant as the
        # last one sent is not missed (storing a row again changes nothing).
        query = query.where(Appointment.updated_at >= datetime.fromisoformat(appointments_after))
    names = [c.name for c in Appointment.__table__.columns]
    found = session.execute(
        query.order_by(Appointment.updated_at, Appointment.id).limit(APPOINTMENT_PAGE)
    ).all()
    appointments = [rows.image(r, names) for r in found]
    cursor = appointments_after
    if appointments:
        cursor = str(appointments[-1]["updated_at"])
    return {
        "site_id": site_id,
        "digest": digest,
        "config": config,
        "appointments": appointments,
        "appointments_cursor": cursor,
        "more_appointments": len(appointments) == APPOINTMENT_PAGE,
        "others": other_sites(session, site, now),
    }


def other_sites(session: Session, site: Site, now: datetime) -> list[dict[str, Any]]:
    """The waits of the commune's other intake points, as the upstream knows them now (cross-site
    suggestions at the box); ``at`` says when, so that a box hides figures that have grown old."""
    from ..queue.views import list_services, site_info, site_waits

    out: list[dict[str, Any]] = []
    for other in session.scalars(
        select(Site).where(Site.commune_id == site.commune_id, Site.id != site.id).order_by(Site.id)
    ):
        waits = site_waits(session, other.id, now)
        by_service = {w.service_id: w for w in waits}
        info = site_info(other, now)
        out.append(
            {
                "site_id": other.id,
                "code": other.code,
                "name": other.name,
                "name_en": other.name_en,
                "address": other.address,
                "open_now": info.open_now,
                "at": now.isoformat(),
                "wait": sync.to_json(waits),
                # matched by service code at the box (the kiosk's "shorter wait nearby")
                "services": [
                    {
                        "code": s.code,
                        "open_now": s.open_now,
                        "waiting": by_service[s.id].waiting if s.id in by_service else 0,
                        "estimated_wait_s": by_service[s.id].estimated_wait_s if s.id in by_service else 0,
                    }
                    for s in list_services(session, other.id, now)
                ],
            }
        )
    return out
