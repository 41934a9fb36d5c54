"""On the upstream: the site-box tokens, and how far each site's box has come (``…/sync``)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...db.models import Site, SiteBoxLink, SiteBoxState
from ...domain import sync
from ...domain.access import Principal
from ...domain.errors import N_, InvalidValue, NotFound, Unauthorized
from ..core.unit_of_work import UnitOfWork


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewLink:
    site_id: int
    site_code: str
    token: str


def add_link(uow: UnitOfWork, site_code: str, at: datetime) -> NewLink:
    """Make ``site_code`` a site-box site and return the token of its box (shown once). A second box
    token for the same site (a replaced box) resumes from where the first one stopped."""
    token = "sb_" + secrets.token_urlsafe(32)
    with uow:
        session = uow.session
        site = session.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise NotFound(N_("There is no site %(site)s."), code="unknown_site", site=site_code)
        if sync.id_limit("tickets", site.id) >= 2**31:
            raise InvalidValue(N_("This site's id is too large for a site box."), code="site_id_too_large")
        previous = session.scalar(
            select(SiteBoxLink).where(SiteBoxLink.site_id == site.id).order_by(SiteBoxLink.id.desc())
        )
        session.add(
            SiteBoxLink(
                site_id=site.id,
                token_hash=hash_token(token),
                created_at=at,
                applied=previous.applied if previous else 0,
                box_seq=previous.box_seq if previous else 0,
                box_changes=previous.box_changes if previous else 0,
            )
        )
        uow.commit()
        return NewLink(site_id=site.id, site_code=site.code, token=token)


def revoke_links(uow: UnitOfWork, site_code: str, at: datetime) -> int:
    """Revoke every box token of ``site_code``; the site stays a site-box site (the upstream still
    refuses the writes a box owns). Returns how many tokens were revoked."""
    with uow:
        session = uow.session
        site = session.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise NotFound(N_("There is no site %(site)s."), code="unknown_site", site=site_code)
        links = session.scalars(
            select(SiteBoxLink).where(SiteBoxLink.site_id == site.id, SiteBoxLink.revoked_at.is_(None))
        ).all()
        for link in links:
            link.revoked_at = at
        uow.commit()
        return len(links)


def authenticate(session: Session, raw: str | None) -> SiteBoxLink:
    """The link of a box token; 401 for none, an unknown or a revoked one."""
    link = session.scalar(select(SiteBoxLink).where(SiteBoxLink.token_hash == hash_token(raw or "")))
    if not raw or link is None or link.revoked_at is not None:
        raise Unauthorized(N_("This site-box token is not valid."), code="invalid_site_box_token")
    return link


def box_site_ids(session: Session, among: set[int]) -> set[int]:
    """Which of the sites ``among`` are served by their own box."""
    return set(session.scalars(select(SiteBoxLink.site_id).where(SiteBoxLink.site_id.in_(among)).distinct()))


@dataclass(frozen=True)
class SyncStatus:
    site_id: int
    mode: str  # "site_box" or "local"
    last_seen_at: datetime | None
    box_seq: int
    upstream_seq: int
    behind: int


def sync_status(session: Session, actor: Principal, site_id: int) -> SyncStatus:
    """How far the upstream is behind the site's box (on a box: how far the upstream is behind it)."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(N_("There is nothing here."))
    actor.require(actor.can_manage(site_id))
    state = session.scalar(select(SiteBoxState).where(SiteBoxState.site_id == site_id))
    if state is not None:  # this server is the site's box
        return SyncStatus(
            site_id=site_id,
            mode="site_box",
            last_seen_at=state.last_seen_at,
            box_seq=site.event_seq,
            upstream_seq=state.acked_seq,
            behind=max(0, site.event_seq - state.acked_seq),
        )
    link = session.scalar(
        select(SiteBoxLink).where(SiteBoxLink.site_id == site_id).order_by(SiteBoxLink.id.desc())
    )
    if link is None:
        return SyncStatus(site_id, "local", None, site.event_seq, site.event_seq, 0)
    seen = max(
        (
            at
            for at in session.scalars(select(SiteBoxLink.last_seen_at).where(SiteBoxLink.site_id == site_id))
            if at is not None
        ),
        default=None,
    )
    return SyncStatus(
        site_id=site_id,
        mode="site_box",
        last_seen_at=seen,
        box_seq=max(link.box_seq, site.event_seq),
        upstream_seq=site.event_seq,
        behind=max(0, link.box_seq - site.event_seq),
    )
