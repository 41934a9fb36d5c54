"""Today's appointments in the demo ward, so that the kiosk, the staff tablet and the manager's list show
some: a few booked for the coming hours at both intake points, two already checked in.

They are written directly at times around now (the demo runs at any hour, even on a Sunday or a public
holiday, when no slot could be booked; late in the evening, earlier that day) but hold their slot's place like
any booking. Seeding twice on the
same day adds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..db.booking import claim_slot
from ..db.models import Appointment, Service, Site
from ..domain.access import Principal, Role
from ..domain.appointments import AppointmentStatus, new_code
from ..extension import Luot
from ..services.appointments.booking import CheckIn, check_in, record_change

# (site, service, minutes from now, name, checked in)
PEOPLE = [
    ("KB1", "HT", 5, "Nguyễn Thị Lan", True),
    ("KB1", "DD", 25, "Trần Văn Hùng", True),
    ("KB1", "HT", 45, "Lê Thị Mai", False),
    ("KB1", "BH", 70, "Phạm Quốc Bảo", False),
    ("KB2", "HT", 15, "Hoàng Minh Đức", False),
    ("KB2", "KD", 50, "Vũ Thị Hằng", False),
    ("KB2", "BT", 95, "Đỗ Văn Tâm", False),
]


def seed_appointments(extension: Luot) -> int:
    """Book today's demo appointments unless they are there already; returns how many were added."""
    now = extension.now()
    added: list[tuple[str, Site]] = []
    with extension.uow() as uow:
        session = uow.session
        sites = {s.code: s for s in session.scalars(select(Site))}
        zone = ZoneInfo(next(iter(sites.values())).timezone)
        today = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
        already = session.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.start >= today)
        )
        if already:
            return 0
        base = now.astimezone(zone).replace(second=0, microsecond=0)
        base -= timedelta(minutes=base.minute % 10)
        # Late in the evening the coming hours are tomorrow's: the day's last appointments end by midnight
        # (those checked in are then late, and queue as walk-ins).
        last = max(minutes for _site, _service, minutes, _name, _arrived in PEOPLE)
        base = min(base, today + timedelta(days=1) - timedelta(minutes=last + 60))
        for index, (site_code, service_code, minutes, name, arrived) in enumerate(PEOPLE):
            site = sites[site_code]
            service = session.scalar(
                select(Service).where(Service.site_id == site.id, Service.code == service_code)
            )
            assert service is not None
            start = base + timedelta(minutes=minutes)
            claim_slot(session, site.id, service.id, start, capacity=99)
            appointment = Appointment(
                code=new_code(),
                site_id=site.id,
                service_id=service.id,
                start=start,
                end=start + timedelta(minutes=service.service_minutes),
                status=AppointmentStatus.BOOKED.value,
                name=name,
                phone=f"09{index + 1:02d}{secrets.randbelow(10**6):06d}",
                language="vi",
                token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                created_at=now - timedelta(days=1),
                updated_at=now - timedelta(days=1),
            )
            session.add(appointment)
            session.flush()
            record_change(uow.appointments, appointment, "booked", now - timedelta(days=1))
            if arrived:
                added.append((appointment.code, site))
        uow.commit()
    desk = Principal(role=Role.ADMIN)
    for code, _site in added:
        check_in(CheckIn(actor=desk, code=code, at=now), extension.uow())
    return len(PEOPLE)
