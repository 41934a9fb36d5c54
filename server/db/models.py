"""SQLAlchemy 2 typed models.

Terms: ``Commune`` — xã/phường/đặc khu; ``Site`` — điểm tiếp nhận (an intake point of a commune);
``Service`` — lĩnh vực/dịch vụ; ``Counter`` — quầy; ``Ticket`` — phiếu số thứ tự; ``dossier_code`` — mã hồ sơ.
Nothing is deleted by normal operation: every state change of a ticket is appended to ``ticket_events``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Commune(Base):
    """A commune-level unit (xã, phường, đặc khu) identified by its official code."""

    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(200), default="")

    sites: Mapped[list[Site]] = relationship(back_populates="commune", order_by="Site.id")


class Site(Base):
    """An intake point (điểm tiếp nhận) of a commune's service centre."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    closed_dates: Mapped[list[Any]] = mapped_column(default=list)
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    default_printer: Mapped[str | None] = mapped_column(String(400))
    ticket_footer: Mapped[str] = mapped_column(String(400), default="")
    priority_streak: Mapped[int] = mapped_column(Integer, default=3)
    appointment_due_minutes: Mapped[int] = mapped_column(Integer, default=10)
    person_ticket_limit: Mapped[int] = mapped_column(Integer, default=3)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    booking: Mapped[dict[str, Any]] = mapped_column(default=dict)  # appointments: the file's booking section
    # Wall display: also announce calls in English, after Vietnamese.
    announce_english: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Near-turn messages and remote tickets: the site's notify_* and remote_* keys (domain/near_turn.py).
    notify: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Last per-site event number handed out; advanced in the transaction that produced the events.
    event_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Satisfaction ratings: the file's ``ratings`` section (reasons, pad_seconds, window_hours).
    ratings: Mapped[dict[str, Any]] = mapped_column(default=dict)

    commune: Mapped[Commune] = relationship(back_populates="sites")
    services: Mapped[list[Service]] = relationship(back_populates="site", order_by="Service.position")
    counters: Mapped[list[Counter]] = relationship(back_populates="site", order_by="Counter.number")


class Service(Base):
    """A service (lĩnh vực) offered at a site, with its own ticket numbering."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(64), default="")
    prefix: Mapped[str] = mapped_column(String(8), default="")
    start: Mapped[int] = mapped_column(Integer, default=1)
    digits: Mapped[int] = mapped_column(Integer, default=3)
    service_minutes: Mapped[int] = mapped_column(Integer, default=10)
    target_wait_minutes: Mapped[int] = mapped_column(Integer, default=30)
    appointments: Mapped[bool] = mapped_column(Boolean, default=False)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Keeps its queue overnight: its tickets are not closed with the day and wait, with their day's number,
    # in the next day's queue.
    overnight: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The settings a manager set on the page (``target_wait_minutes``, ``open``): ``luot config load``
    # leaves them until ``--take-back`` gives them back to the file (docs/deploy.md).
    page_owned: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")

    site: Mapped[Site] = relationship(back_populates="services")


class Counter(Base):
    """A counter (quầy) where a clerk serves; ``current_ticket_id`` holds at most one ticket at a time."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="closed")
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    current_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", use_alter=True, name="fk_counters_current_ticket_id_tickets")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Since when the counter has its status, and why it is paused (a PauseReason while paused).
    status_since: Mapped[datetime | None] = mapped_column()
    pause_reason: Mapped[str | None] = mapped_column(String(16))
    # The settings a manager set on the page (``services``), left by ``luot config load`` (see Service).
    page_owned: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")

    site: Mapped[Site] = relationship(back_populates="counters")
    links: Mapped[list[CounterService]] = relationship(
        order_by="CounterService.position", cascade="all, delete-orphan"
    )
    clerk: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as a plain attribute

    @property
    def service_ids(self) -> list[int]:
        return [link.service_id for link in self.links]


class CounterService(Base):
    """A service a counter serves; ``position`` is the counter's order of preference."""

    __tablename__ = "counter_services"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TicketSequence(Base):
    """One counter row per (site, service, local business day), advanced by a single upsert."""

    __tablename__ = "ticket_sequences"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """A ticket (phiếu). ``issued_service_id`` is the service whose sequence gave the number; a transfer
    changes ``service_id`` but never the number."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("site_id", "issued_service_id", "day", "sequence"),
        Index("ix_tickets_site_status", "site_id", "status"),
        Index("ix_tickets_site_day", "site_id", "day"),
        Index("ix_tickets_counter_called", "counter_id", "called_at"),
        # Statistics (covering): first calls and completions of a period.
        Index("ix_tickets_site_first_called", "site_id", "first_called_at", "service_id", "wait_s"),
        Index(
            "ix_tickets_site_finished",
            "site_id",
            "finished_at",
            "status",
            "service_id",
            "service_s",
            "counter_id",
            "served_by_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(16), default="none")
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    public_code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column()
    # When the ticket joined the queue it waits in: issue time, or check-in time for an appointment.
    waiting_since: Mapped[datetime] = mapped_column()
    first_called_at: Mapped[datetime | None] = mapped_column()
    called_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    wait_s: Mapped[int | None] = mapped_column(Integer)
    service_s: Mapped[int | None] = mapped_column(Integer)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    call_rule: Mapped[str | None] = mapped_column(String(32))
    dossier_code: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    citizen_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appointment_start: Mapped[datetime | None] = mapped_column()
    # The appointment this ticket was checked in for (one ticket per appointment at most).
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # A remote ticket (taken before arriving): ``pending_arrival`` until the kiosk confirms the arrival.
    remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    arrived_at: Mapped[datetime | None] = mapped_column()
    # A site box's check-in of a signed code it did not know yet (booked upstream during a cut): the
    # code until the appointment is confirmed from the upstream; ``appointment_problem`` when the
    # upstream turned out not to have it (``unknown``) or to have it cancelled or elsewhere.
    unconfirmed_code: Mapped[str | None] = mapped_column(String(8), index=True)
    appointment_problem: Mapped[str | None] = mapped_column(String(16))
    # Issued offline by a kiosk agent from its lease (the agent's own id, unique) and recorded on replay;
    # ``offline_over_limit``: the person's limit was already reached when it was replayed (kept, flagged).
    offline_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    offline_over_limit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as a plain attribute


class TicketEvent(Base):
    """Append-only history of every ticket state change; KPIs are computed from it."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_site_at", "site_id", "at"),
        Index("ix_ticket_events_ticket", "ticket_id"),
        Index("ix_ticket_events_site_kind_at", "site_id", "kind", "at", "service_id"),  # statistics
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Base):
    """A staff account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()

    sites: Mapped[list[UserSite]] = relationship(cascade="all, delete-orphan")

    @property
    def site_ids(self) -> list[int]:
        return sorted(link.site_id for link in self.sites)


class UserSite(Base):
    __tablename__ = "user_sites"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)


class Device(Base):
    """An enrolled kiosk or display, bound to one site."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    printer_uri: Mapped[str | None] = mapped_column(String(400))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    # Its last request or Socket.IO connection, written at most once a minute (services/accounts/presence.py).
    last_seen_at: Mapped[datetime | None] = mapped_column()


class ApiToken(Base):
    """A bearer token, stored only as its SHA-256 hash. Staff tokens expire; device tokens are revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User | None] = relationship()
    device: Mapped[Device | None] = relationship()


class StaffRequest(Base):
    """A staff action already carried out, keyed by the client's request id (idempotent retries)."""

    __tablename__ = "staff_requests"

    principal: Mapped[str] = mapped_column(String(32), primary_key=True)  # "user:7" or "device:3"
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int] = mapped_column(Integer)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column()


# -- kiosk: enrolment by short code ------------------------------------------------------------------


class EnrolmentCode(Base):
    """A short, single-use code that enrols a browser as a device (mã kích hoạt), stored as a keyed hash."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()

    device: Mapped[Device] = relationship()


# -- Appointments across a commune's intake points ------------------------------------------------------


class AppointmentSlot(Base):
    """The claim counter of one slot (khung giờ hẹn): created on its first booking or when a manager
    closes it, advanced by one conditional upsert per booking so that ``booked`` never passes the
    capacity, whatever the concurrency."""

    __tablename__ = "appointment_slots"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    start: Mapped[datetime] = mapped_column(primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    capacity: Mapped[int] = mapped_column(Integer, default=0)  # as of the last claim (for reports)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Appointment(Base):
    """A booked appointment (lịch hẹn). The citizen ID is kept only as its keyed hash; the private
    link's token only as its SHA-256 hash."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_site_start", "site_id", "start"),
        Index("ix_appointments_status_start", "status", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    start: Mapped[datetime] = mapped_column()
    end: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="booked")
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    citizen_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    site: Mapped[Site] = relationship()
    service: Mapped[Service] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as a plain attribute


class AppointmentEvent(Base):
    """Append-only history of every appointment change (booked, rescheduled, cancelled, checked in…)."""

    __tablename__ = "appointment_events"
    __table_args__ = (Index("ix_appointment_events_appointment", "appointment_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Notification(Base):
    """The notification outbox: one row per appointment and kind (``reminder-1440``…), so a reminder is
    written once whatever the number of schedulers; the notifier delivers pending rows."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("appointment_id", "kind"),
        Index("ix_notifications_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed, skipped
    channel: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(400))


class TicketMessage(Base):
    """The outbox of a ticket's messages to the citizen's phone (``near``, ``called``): one row per ticket
    and kind, ever, so no scheduler, restart or retry sends one twice. The phone number stays on the
    ticket, and only until its messages are done; ``error`` keeps the gateway's last answer."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind"),
        Index("ix_ticket_messages_status_due", "status", "next_attempt_at"),
        Index("ix_ticket_messages_site_created", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # see domain/near_turn.py
    channel: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column()
    next_attempt_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(400))
    # ``near``: when the message said the ticket would be called (queued at + estimated wait).
    promised_at: Mapped[datetime | None] = mapped_column()
    position: Mapped[int | None] = mapped_column(Integer)

    ticket: Mapped[Ticket] = relationship()


class SchedulerLease(Base):
    """Who runs the installation's scheduler: a lease row, taken and renewed with one conditional upsert
    (works on SQLite and PostgreSQL), so that only one scheduler acts at a time."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()


# -- Wall display: notices ---------------------------------------------------------------------------


class Notice(Base):
    """A line of the notices ticker (bảng thông báo) on a site's wall displays, shown in its active period.

    A site's list is replaced whole; ``position`` keeps its order."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime | None] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


# -- Printers ------------------------------------------------------------------------------------------


class PrintJob(Base):
    """One printing of a ticket (in phiếu) at one printer: queued until printed, or failed when the
    printer stayed down too long. A reprint is a new job. ``lease_until`` is set while a spooler (or a
    kiosk's print agent) is printing it, so that two server processes never print the same job."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        Index("ix_print_jobs_status_printer", "status", "printer_uri"),
        Index("ix_print_jobs_ticket", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))  # the kiosk whose printer it is
    printer_uri: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(String(16), default="issue")  # issue, check_in, reprint
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, printed, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(400))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    printed_at: Mapped[datetime | None] = mapped_column()
    lease_until: Mapped[datetime | None] = mapped_column()


class PrinterState(Base):
    """What a printer last reported (ok, offline, paper_out, error), per site and printer URI."""

    __tablename__ = "printer_states"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    printer_uri: Mapped[str] = mapped_column(String(400), primary_key=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(400), default="")
    updated_at: Mapped[datetime] = mapped_column()


# -- Site boxes: an intake point served by its own box, attached to an upstream ---------------------------


class SiteBoxLink(Base):
    """On the upstream: a site served by its own box (``luot site-box add``). The token, stored as its
    SHA-256 hash, lets that box send its site's records and read its site's configuration, nothing more.
    ``applied`` is the number of the box's last change stored here (the high-water mark it resumes from);
    ``box_seq`` and ``box_changes`` what the box said it had at its last contact."""

    __tablename__ = "site_box_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_seen_at: Mapped[datetime | None] = mapped_column()
    applied: Mapped[int] = mapped_column(BigInteger, default=0)
    box_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    box_changes: Mapped[int] = mapped_column(BigInteger, default=0)


class SiteBoxChange(Base):
    """On a box: one committed transaction of its site, waiting to be (or already) sent upstream — the
    outbox of the upstream link, written in the same transaction as its cause. ``id`` is the change's
    number (one box serves one site); ``seq`` the site's event ``seq`` after it; ``rows`` the images of
    the rows it wrote, by table; ``events`` its sequenced events."""

    __tablename__ = "site_box_changes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column()
    rows: Mapped[dict[str, Any]] = mapped_column(default=dict)
    events: Mapped[list[Any]] = mapped_column(default=list)


class SiteBoxState(Base):
    """On a box: its one row — the site it serves, the upstream's acknowledged change number and the
    cursors of what it pulls."""

    __tablename__ = "site_box_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(Integer)
    upstream_url: Mapped[str] = mapped_column(String(400))
    acked: Mapped[int] = mapped_column(BigInteger, default=0)
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    config_digest: Mapped[str] = mapped_column(String(64), default="")
    appointments_cursor: Mapped[str] = mapped_column(String(64), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column()
    others: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SitePrinter(Base):
    """A printer the installer declared for a site (the site's ``printers:`` in the configuration file):
    the printers a manager may choose for the site's kiosks through the API, by name or exact URI."""

    __tablename__ = "site_printers"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    uri: Mapped[str] = mapped_column(String(400))


# -- Security audit ------------------------------------------------------------------------------------


class AuditRecord(Base):
    """An attempt the rules refused that the installer should see (``kind``: ``printer_refused``), with
    who tried, where and what: appended, never changed."""

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    detail: Mapped[str] = mapped_column(String(400), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


# -- Satisfaction ratings ------------------------------------------------------------------------------


class Rating(Base):
    """A citizen's satisfaction rating of a served ticket (đánh giá mức độ hài lòng): one per ticket,
    whichever channel (the phone's status page or the counter's pad) answers first."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("ticket_id"),
        Index("ix_ratings_site_finished", "site_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dossier_code: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    comment: Mapped[str | None] = mapped_column(String(500))
    channel: Mapped[str] = mapped_column(String(16))  # phone, counter
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    # When the ticket was completed (the day and hour the rating counts in) and when it was rated.
    finished_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()


# -- Kiosk leases of ticket numbers --------------------------------------------------------------------


class TicketLease(Base):
    """A block of a (site, service, day)'s sequence numbers granted to a kiosk's agent, which issues them
    while its server does not answer. The block is taken from the day's counter row, so the server never
    issues these numbers itself; ``released_at`` is set when the day is over."""

    __tablename__ = "ticket_leases"
    __table_args__ = (Index("ix_ticket_leases_device_day", "device_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    day: Mapped[date] = mapped_column(Date)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column()
    released_at: Mapped[datetime | None] = mapped_column()


# -- The counter's own history -------------------------------------------------------------------------


class CounterEvent(Base):
    """Append-only history of a counter's own changes (opened, paused with its reason, closed) with its
    time and clerk: with the ticket events, the clerk's day is accounted from it."""

    __tablename__ = "counter_events"
    __table_args__ = (Index("ix_counter_events_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"))
    kind: Mapped[str] = mapped_column(String(16))  # opened, paused, closed
    at: Mapped[datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(16))  # a PauseReason for ``paused``
    note: Mapped[str | None] = mapped_column(String(200))


# -- The procedure guide -------------------------------------------------------------------------------


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) a citizen comes for, with the papers to bring, its
    fee and processing time, loaded from a procedure file (``luot procedures load``; docs/procedures.md).

    ``code`` is its code in the national procedure database (e.g. ``1.001193``). It is shown under the
    service of code ``service_code`` at every site that has one, or only at ``site_codes`` when the file
    names them. A procedure absent from the last file loaded is ``hidden``, never deleted."""

    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    service_code: Mapped[str] = mapped_column(String(32), index=True)
    site_codes: Mapped[list[Any]] = mapped_column(default=list)  # empty: every site with the service
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    documents: Mapped[list[Any]] = mapped_column(default=list)  # [{name, name_en}] in the file's order
    fee: Mapped[str] = mapped_column(String(400), default="")
    fee_en: Mapped[str] = mapped_column(String(400), default="")
    processing_time: Mapped[str] = mapped_column(String(200), default="")
    processing_time_en: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    note_en: Mapped[str] = mapped_column(String(1000), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column()
