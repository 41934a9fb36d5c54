"""Enrolling a kiosk or display by a short code (mã kích hoạt) instead of its long token.

``luot device code`` creates the device (or finds the active one of that site, kind and name) and a code
valid for a day; the kiosk's enrolment screen sends the code once and receives a fresh device token.
Codes are stored only as keyed hashes and work once: a second use, an expired code and an unknown one are
refused alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from ...db.models import ApiToken, Device, EnrolmentCode
from ...domain import enrolment
from ...domain.access import DeviceKind
from ...domain.errors import N_, Conflict, NotFound
from ...domain.text import clean_text
from ..core.unit_of_work import UnitOfWork
from ..declared_printers import installer_printer
from .auth import DeviceInfo, hash_token, new_token, sites_by_code


@dataclass(frozen=True)
class IssuedCode:
    code: str  # as shown: ABCD-EFGH
    expires_at: datetime
    device: DeviceInfo


def _unknown() -> NotFound:
    return NotFound(
        N_("This enrolment code is unknown, used or expired; ask for a new one."),
        code="unknown_enrolment_code",
    )


def _info(dev: Device) -> DeviceInfo:
    return DeviceInfo.of(dev)


def issue_code(
    uow: UnitOfWork,
    secret: bytes,
    *,
    site_code: str,
    kind: DeviceKind,
    name: str,
    printer_uri: str | None,
    at: datetime,
) -> IssuedCode:
    """A new enrolment code for the active device of this site, kind and name (created if there is none).

    Codes given earlier for the same device and not used yet stop working.
    """
    name = clean_text(name, field="name", max_length=200)
    with uow:
        session = uow.session
        (site,) = sites_by_code(session, [site_code])
        dev = session.scalar(
            select(Device)
            .where(
                Device.site_id == site.id,
                Device.kind == kind.value,
                Device.name == name,
                Device.revoked_at.is_(None),
            )
            .order_by(Device.id.desc())
            .limit(1)
        )
        if dev is None:
            dev = Device(site_id=site.id, kind=kind.value, name=name, created_at=at, settings={})
            session.add(dev)
        if printer_uri is not None:
            dev.printer_uri = installer_printer(session, site.id, printer_uri)
        session.flush()
        session.execute(
            update(EnrolmentCode)
            .where(EnrolmentCode.device_id == dev.id, EnrolmentCode.used_at.is_(None))
            .values(expires_at=at)
        )
        code = enrolment.new_code()
        expires = at + enrolment.LIFETIME
        session.add(
            EnrolmentCode(
                device_id=dev.id,
                code_hash=enrolment.code_hash(secret, code),
                created_at=at,
                expires_at=expires,
            )
        )
        issued = IssuedCode(enrolment.display_code(code), expires, _info(dev))
        uow.commit()
        return issued


def redeem_code(
    uow: UnitOfWork, secret: bytes, raw_code: str, at: datetime, kind: DeviceKind | None = None
) -> tuple[DeviceInfo, str]:
    """Exchange a valid code for a new token of its device (shown only now).

    ``kind`` is what the enrolling screen expects: a display's code typed on a kiosk is refused (409)
    without being used up.
    """
    digest = enrolment.code_hash(secret, raw_code)
    with uow:
        session = uow.session
        found = session.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == digest))
        if found is None or found.used_at is not None or found.expires_at <= at:
            raise _unknown()
        dev = session.get_one(Device, found.device_id)
        if dev.revoked_at is not None:
            raise _unknown()
        if kind is not None and dev.kind != kind.value:
            raise Conflict(N_("This code is for another kind of device."), code="wrong_device_kind")
        # Single use even when the same code arrives twice at once: only one UPDATE finds it unused.
        claimed = session.execute(
            update(EnrolmentCode)
            .where(EnrolmentCode.id == found.id, EnrolmentCode.used_at.is_(None))
            .values(used_at=at)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise _unknown()
        raw = new_token()
        session.add(ApiToken(token_hash=hash_token(raw), device_id=dev.id, created_at=at))
        info = _info(dev)
        uow.commit()
        return info, raw
