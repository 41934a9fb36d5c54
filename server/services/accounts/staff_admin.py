"""The manager's pages for accounts and devices (quản lý tài khoản và thiết bị): the same rules as
``luot user add`` and ``luot device …`` (server/services/accounts/auth.py), bounded by what the signed-in
manager manages, and every change in the audit log with who and when.

A manager adds, edits, disables and re-enables clerks and managers of the sites they manage only — never an
admin, never an account that also works at a site they do not manage — and revokes the kiosks, displays and
rating pads of those sites. An admin may do all of it everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...db.models import ApiToken, Device, Site, User, UserSite
from ...domain.access import DeviceKind, Principal, Role
from ...domain.errors import N_, Conflict, Forbidden, InvalidValue, NotFound
from ...domain.presence import online
from ...domain.text import clean_text
from ..audit import record_action
from ..core.unit_of_work import UnitOfWork
from . import enrolment
from .auth import DeviceInfo, _revoke_tokens, check_password_strength
from .enrolment import IssuedCode


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    role: str
    site_ids: list[int]
    active: bool


@dataclass(frozen=True)
class DeviceRow:
    id: int
    site_id: int
    kind: str
    name: str
    printer_uri: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None = None
    online: bool = False  # a live Socket.IO connection here, or seen in the last two minutes


def _row(user: User) -> AccountRow:
    return AccountRow(user.id, user.username, user.display_name, user.role, user.site_ids, user.active)


def _require_manager(actor: Principal) -> None:
    actor.require(actor.role in (Role.ADMIN, Role.MANAGER))


def _may_touch(actor: Principal, user: User) -> bool:
    """An admin touches any account; a manager only non-admins whose every site they manage."""
    if actor.role is Role.ADMIN:
        return True
    return user.role != Role.ADMIN.value and all(actor.can_manage(s) for s in user.site_ids)


def list_accounts(session: Session, actor: Principal) -> list[AccountRow]:
    """The accounts the caller may manage: every one for an admin; for a manager, the non-admins whose every
    site they manage."""
    _require_manager(actor)
    users = session.scalars(select(User).options(selectinload(User.sites)).order_by(User.username))
    return [_row(u) for u in users if _may_touch(actor, u) and (u.site_ids or actor.role is Role.ADMIN)]


def save_account(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    actor: Principal,
    *,
    username: str,
    role: Role,
    site_ids: Sequence[int],
    at: datetime,
    password: str | None = None,
    display_name: str | None = None,
    user_id: int | None = None,
) -> AccountRow:
    """Add an account (``user_id`` None: a password is needed) or change one's role, sites, name or password
    (a new password ends its sessions)."""
    _require_manager(actor)
    if role is Role.ADMIN and actor.role is not Role.ADMIN:
        raise Forbidden(N_("You are not allowed to do this here."))
    for site_id in site_ids:
        actor.require(actor.can_manage(site_id))
    with uow:
        session = uow.session
        sites = list(session.scalars(select(Site).where(Site.id.in_(list(site_ids)))))
        if len(sites) != len(set(site_ids)):
            raise NotFound(N_("There is no such site."), code="unknown_site")
        if role is not Role.ADMIN and not sites:
            raise InvalidValue(N_("A manager or clerk needs at least one site."), code="site_required")
        if user_id is None:
            name = clean_text(username, field="username", max_length=64)
            if not name:
                raise InvalidValue(N_("A username is needed."))
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                raise Conflict(N_("An account with this username already exists."), code="username_taken")
            if not password:
                raise InvalidValue(N_("A password is needed."), code="password_required")
            user = User(username=name, created_at=at, failed_logins=0, active=True, display_name=name)
            session.add(user)
        else:
            found = session.get(User, user_id, options=[selectinload(User.sites)])
            if found is None:
                raise NotFound(N_("There is no such account."), code="unknown_user")
            user = found
            actor.require(_may_touch(actor, user))
        if password:
            check_password_strength(password, user.username)
            user.password_hash = hasher.hash(password)
            if user.id is not None:
                _revoke_tokens(uow, ApiToken.user_id == user.id, at)
        user.role = role.value
        if display_name is not None:
            user.display_name = (
                clean_text(display_name, field="display_name", max_length=200) or user.username
            )
        user.sites = [UserSite(site_id=s.id) for s in sites]
        session.flush()
        row = _row(user)
        record_action(
            session,
            actor,
            "account_added" if user_id is None else "account_changed",
            at,
            row.site_ids[0] if row.site_ids else None,
            user_id=row.id,
            username=row.username,
            role=row.role,
            site_ids=row.site_ids,
            password_set=bool(password),
        )
        uow.commit()
        return row


def set_account_active(
    uow: UnitOfWork, actor: Principal, user_id: int, active: bool, at: datetime
) -> AccountRow:
    """Disable an account (its sessions end at once) or enable it again."""
    _require_manager(actor)
    with uow:
        session = uow.session
        user = session.get(User, user_id, options=[selectinload(User.sites)])
        if user is None:
            raise NotFound(N_("There is no such account."), code="unknown_user")
        actor.require(_may_touch(actor, user))
        if user.id == actor.user_id and not active:
            raise InvalidValue(N_("You cannot disable your own account."), code="own_account")
        user.active = active
        if not active:
            _revoke_tokens(uow, ApiToken.user_id == user.id, at)
        row = _row(user)
        kind = "account_enabled" if active else "account_disabled"
        record_action(
            session,
            actor,
            kind,
            at,
            row.site_ids[0] if row.site_ids else None,
            user_id=row.id,
            username=row.username,
        )
        uow.commit()
        return row


def list_site_devices(
    session: Session,
    actor: Principal,
    site_id: int,
    at: datetime,
    connected: Callable[[int], bool] = lambda _device_id: False,
) -> list[DeviceRow]:
    """The kiosks, displays and rating pads of a site the caller manages, with when each was last seen and
    whether it is online now (``connected``: whether it holds a live Socket.IO connection)."""
    actor.require(actor.can_manage(site_id))
    devices = session.scalars(
        select(Device).where(Device.site_id == site_id).order_by(Device.kind, Device.id)
    )
    return [
        DeviceRow(
            d.id,
            d.site_id,
            d.kind,
            d.name,
            d.printer_uri,
            d.created_at,
            d.revoked_at,
            d.last_seen_at,
            d.revoked_at is None and online(d.last_seen_at, at, connected(d.id)),
        )
        for d in devices
    ]


def revoke_site_device(uow: UnitOfWork, actor: Principal, device_id: int, at: datetime) -> DeviceInfo:
    """Revoke a device of a site the caller manages: its tokens stop working and its connections close."""
    with uow:
        session = uow.session
        device = session.get(Device, device_id)
        if device is None:
            raise NotFound(N_("There is no such device."), code="unknown_device")
        actor.require(actor.can_manage(device.site_id))
        if device.revoked_at is None:
            device.revoked_at = at
        _revoke_tokens(uow, ApiToken.device_id == device.id, at)
        record_action(
            session, actor, "device_revoked", at, device.site_id, device_id=device.id, name=device.name
        )
        info = DeviceInfo.of(device)
        uow.commit()
        return info


def issue_site_code(
    uows: Callable[[], UnitOfWork],
    secret: bytes,
    actor: Principal,
    *,
    site_id: int,
    kind: DeviceKind,
    name: str,
    at: datetime,
    counter_code: str | None = None,
) -> IssuedCode:
    """A short enrolment code for a kiosk, display or rating pad of a site the caller manages (the same as
    ``luot device code``; the device keeps its printer, which the printer page sets among the declared ones).
    The code's own use case commits it; its audit record follows in a transaction of its own."""
    actor.require(actor.can_manage(site_id))
    with uows() as uow:
        site = uow.session.get(Site, site_id)
        if site is None:
            raise NotFound(N_("There is no such site."), code="unknown_site")
        site_code = site.code
    issued = enrolment.issue_code(
        uows(),
        secret,
        site_code=site_code,
        kind=kind,
        name=name,
        printer_uri=None,
        at=at,
        counter_code=counter_code,
    )
    with uows() as uow:
        record_action(
            uow.session, actor, "device_code_issued", at, site_id, device_id=issued.device.id, name=name
        )
        uow.commit()
    return issued
