"""Staff accounts, device enrolment and bearer tokens.

Tokens are random, shown once, and stored only as their SHA-256 hash. Staff tokens expire; device tokens
last until revoked. Passwords are hashed with Argon2id; repeated failures lock an account for a while.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from ...db.models import ApiToken, Device, Site, User, UserSite
from ...domain.access import DeviceKind, Principal, Role, device, staff
from ...domain.errors import N_, InvalidValue, NotFound, Unauthorized
from ...domain.text import clean_text
from ..core.unit_of_work import UnitOfWork
from ..declared_printers import installer_printer

STAFF_TOKEN_LIFETIME = timedelta(hours=12)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    role: str
    site_ids: list[int]
    display_name: str = ""


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    user: UserInfo


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    site_id: int
    kind: str
    name: str
    printer_uri: str | None
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, device: Device) -> DeviceInfo:
        return cls(
            device.id,
            device.site_id,
            device.kind,
            device.name,
            device.printer_uri,
            dict(device.settings or {}),
        )


def device_info(session: Session, device_id: int) -> DeviceInfo:
    """The enrolled kiosk or display as its own token sees it."""
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(N_("There is no such device."))
    return DeviceInfo.of(device)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def user_info(user: User) -> UserInfo:
    return UserInfo(user.id, user.username, user.role, user.site_ids, user.display_name)


def check_password_strength(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(N_("A password needs at least %(min)s characters."), min=MIN_PASSWORD_LENGTH)
    if username.lower() in password.lower() or len(set(password)) < 5:
        raise InvalidValue(N_("This password is too easy to guess."), code="weak_password")


def authenticate(session: Session, raw_token: str | None, at: datetime) -> Principal:
    """The principal behind a bearer token; :class:`Unauthorized` if it is unknown, expired or revoked."""
    if not raw_token:
        raise Unauthorized(N_("Sign in first."))
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(raw_token))
        .options(joinedload(ApiToken.user).selectinload(User.sites), joinedload(ApiToken.device))
    )
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= at)
    ):
        raise Unauthorized(N_("Your sign-in is not valid any more; please sign in again."))
    if token.user is not None:
        user = token.user
        if not user.active:
            raise Unauthorized(N_("This account is disabled."))
        principal = staff(user.id, user.username, Role(user.role), frozenset(user.site_ids))
    else:
        dev = token.device
        if dev is None or dev.revoked_at is not None:
            raise Unauthorized(N_("This device is no longer enrolled."))
        principal = device(dev.id, DeviceKind(dev.kind), dev.site_id)
    return Principal(**{**principal.__dict__, "token_id": token.id})


def login(uow: UnitOfWork, hasher: PasswordHasher, username: str, password: str, at: datetime) -> LoginResult:
    with uow:
        session = uow.session
        user = session.scalar(select(User).where(User.username == username).options(selectinload(User.sites)))
        if user is None or not user.active:
            hasher.hash(password)  # spend the same time as a real check: no user enumeration by timing
            raise Unauthorized(N_("Wrong username or password."), code="bad_credentials")
        if user.locked_until is not None and user.locked_until > at:
            raise Unauthorized(
                N_("Too many failed attempts; try again in a few minutes."), code="account_locked"
            )
        try:
            hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = at + LOCKOUT
                user.failed_logins = 0
            uow.commit()
            raise Unauthorized(N_("Wrong username or password."), code="bad_credentials") from None
        user.failed_logins = 0
        user.locked_until = None
        if hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hasher.hash(password)
        raw = new_token()
        expires = at + STAFF_TOKEN_LIFETIME
        session.add(ApiToken(token_hash=hash_token(raw), user_id=user.id, created_at=at, expires_at=expires))
        info = user_info(user)
        uow.commit()
        return LoginResult(raw, expires, info)


def logout(uow: UnitOfWork, principal: Principal, at: datetime) -> None:
    with uow:
        if principal.token_id is not None:
            token = uow.session.get_one(ApiToken, principal.token_id)
            token.revoked_at = at
        uow.commit()


def add_user(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    username: str,
    password: str,
    role: Role,
    site_codes: Sequence[str],
    at: datetime,
    display_name: str = "",
) -> UserInfo:
    """Create a staff account, or update the role, sites and password of an existing one."""
    username = clean_text(username, field="username", max_length=64)
    if not username:
        raise InvalidValue(N_("A username is needed."))
    check_password_strength(password, username)
    with uow:
        session = uow.session
        sites = sites_by_code(session, site_codes)
        if role is not Role.ADMIN and not sites:
            raise InvalidValue(N_("A manager or clerk needs at least one site."), code="site_required")
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, created_at=at, failed_logins=0, active=True)
            session.add(user)
        user.active = True  # adding an account again re-enables it
        user.role = role.value
        user.display_name = clean_text(display_name, field="display_name", max_length=200) or username
        user.password_hash = hasher.hash(password)
        user.sites = [UserSite(site_id=s.id) for s in sites]
        session.flush()
        info = user_info(user)
        uow.commit()
        return info


def add_device(
    uow: UnitOfWork, *, site_code: str, kind: DeviceKind, name: str, printer_uri: str | None, at: datetime
) -> tuple[DeviceInfo, str]:
    """Enrol a kiosk or display at a site; returns the device and its token (shown only now)."""
    with uow:
        session = uow.session
        (site,) = sites_by_code(session, [site_code])
        dev = Device(
            site_id=site.id,
            kind=kind.value,
            name=clean_text(name, field="name", max_length=200),
            printer_uri=installer_printer(session, site.id, printer_uri),
            created_at=at,
            settings={},
        )
        session.add(dev)
        session.flush()
        raw = new_token()
        session.add(ApiToken(token_hash=hash_token(raw), device_id=dev.id, created_at=at))
        info = DeviceInfo.of(dev)
        uow.commit()
        return info, raw


def list_devices(session: Session) -> list[tuple[DeviceInfo, str, datetime | None]]:
    """Every enrolled device with its site's code and when it was revoked (if it was)."""
    rows = session.execute(select(Device, Site.code).join(Site).order_by(Device.site_id, Device.id))
    return [(DeviceInfo.of(d), code, d.revoked_at) for d, code in rows]


def revoke_device(uow: UnitOfWork, device_id: int, at: datetime) -> DeviceInfo:
    """Revoke a kiosk or display: its tokens stop working at once (API and Socket.IO on reconnect)."""
    with uow:
        dev = uow.session.get(Device, device_id)
        if dev is None:
            raise NotFound(N_("There is no such device."), code="unknown_device")
        if dev.revoked_at is None:
            dev.revoked_at = at
        _revoke_tokens(uow.session, ApiToken.device_id == dev.id, at)
        info = DeviceInfo.of(dev)
        uow.commit()
        return info


def disable_user(uow: UnitOfWork, username: str, at: datetime) -> UserInfo:
    """Disable a staff account and end its sessions (``luot user add`` again re-enables it)."""
    with uow:
        user = uow.session.scalar(
            select(User).where(User.username == username).options(selectinload(User.sites))
        )
        if user is None:
            raise NotFound(N_("There is no such account."), code="unknown_user")
        user.active = False
        _revoke_tokens(uow.session, ApiToken.user_id == user.id, at)
        info = user_info(user)
        uow.commit()
        return info


def _revoke_tokens(session: Session, condition: Any, at: datetime) -> None:
    session.execute(update(ApiToken).where(condition, ApiToken.revoked_at.is_(None)).values(revoked_at=at))


def sites_by_code(session: Session, codes: Sequence[str]) -> list[Site]:
    sites = list(session.scalars(select(Site).where(Site.code.in_(list(codes)))))
    missing = sorted(set(codes) - {s.code for s in sites})
    if missing:
        raise NotFound(N_("There is no site with the code %(site)s."), code="unknown_site", site=missing[0])
    return sites
