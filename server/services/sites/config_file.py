"""``luot config load FILE``: the site-configuration file (YAML or JSON) that sets up communes, sites,
services and counters (API.md).

Loading is idempotent: records are matched by ``code`` and updated in place, so loading the same file
twice changes nothing and editing the file then loading it again updates what changed. Nothing is
deleted: a service or counter missing from the file is left as it is (and reported).

Each setting has one owner. The few a manager changes on the page (a service's ``target_wait_minutes``
and ``open``, a counter's ``services``) become the page's once changed there (``page_owned``): a load
leaves them and reports each one it left; ``take_back`` (``luot config load --take-back``) gives them back
to the file, which sets them again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates, validates_schema
from sqlalchemy import select

from ...db.models import Commune, Counter, CounterService, Service, Site
from ...domain.errors import N_, InvalidValue
from ...domain.hours import OpeningHours
from ...domain.near_turn import CHANNELS
from ...domain.printing import PRINTER_NAME, DeclaredPrinter
from ...domain.text import nfc
from ..core.unit_of_work import UnitOfWork
from ..declared_printers import replace_declared

_CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$", error="Codes use letters, digits, '.', '_' and '-'.")


class _Text(fields.String):
    """A string stored NFC-normalised."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return nfc(super()._deserialize(value, attr, data, **kwargs)).strip()


class ServiceSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=_CODE)
    name = _Text(required=True, validate=validate.Length(1, 200))
    name_en = _Text(load_default="", validate=validate.Length(0, 200))
    field = fields.String(load_default="", validate=validate.Length(0, 64))
    prefix = fields.String(load_default="", validate=validate.Regexp(r"^[A-Z0-9]{0,4}$"))
    start = fields.Integer(load_default=1, validate=validate.Range(0, 100_000))
    digits = fields.Integer(load_default=3, validate=validate.Range(1, 6))
    service_minutes = fields.Integer(load_default=10, validate=validate.Range(1, 600))
    target_wait_minutes = fields.Integer(load_default=30, validate=validate.Range(1, 1440))
    appointments = fields.Boolean(load_default=False)
    open = fields.Boolean(load_default=True)
    overnight = fields.Boolean(load_default=False)  # keeps its queue overnight (not closed with the day)


class BookingSchema(Schema):
    """A site's appointment rules (``booking:``); every key is optional (defaults in docs/appointments.md)."""

    class Meta:
        unknown = RAISE

    bookable_share = fields.Float(validate=validate.Range(0, 1))
    notice_minutes = fields.Integer(validate=validate.Range(0, 60 * 24 * 30))
    horizon_days = fields.Integer(validate=validate.Range(0, 366))
    check_in_early_minutes = fields.Integer(validate=validate.Range(0, 24 * 60))
    check_in_late_minutes = fields.Integer(validate=validate.Range(0, 24 * 60))
    reminder_minutes = fields.List(
        fields.Integer(validate=validate.Range(1, 60 * 24 * 14)), validate=validate.Length(max=5)
    )
    no_show_minutes = fields.Integer(validate=validate.Range(0, 24 * 60))
    person_limit = fields.Integer(validate=validate.Range(0, 100))
    public_holidays = fields.Boolean()

    @validates_schema
    def _grace_covers_late_window(self, data: Mapping[str, Any], **_: Any) -> None:
        late, grace = data.get("check_in_late_minutes", 15), data.get("no_show_minutes", 30)
        if grace < late:
            raise ValidationError("no_show_minutes must not be shorter than check_in_late_minutes.")


class RatingReasonSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=_CODE)
    name = _Text(required=True, validate=validate.Length(1, 120))
    name_en = _Text(load_default="", validate=validate.Length(0, 120))


class RatingsSchema(Schema):
    """A site's satisfaction ratings (``ratings:``): the reasons offered for a low score, how long the
    counter's pad asks and how long the phone may still rate (defaults in docs/ratings.md)."""

    class Meta:
        unknown = RAISE

    reasons = fields.List(fields.Nested(RatingReasonSchema), validate=validate.Length(1, 20))
    pad_seconds = fields.Integer(validate=validate.Range(5, 600))
    window_hours = fields.Integer(validate=validate.Range(1, 24 * 30))

    @validates_schema
    def _unique_reasons(self, data: Mapping[str, Any], **_: Any) -> None:
        codes = [r["code"] for r in data.get("reasons", [])]
        if len(codes) != len(set(codes)):
            raise ValidationError("Each rating reason code appears once.")


class CounterSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=_CODE)
    number = fields.Integer(required=True, validate=validate.Range(1, 999))
    name = _Text(required=True, validate=validate.Length(1, 200))
    services = fields.List(fields.String(validate=_CODE), required=True, validate=validate.Length(min=1))


class DeclaredPrinterSchema(Schema):
    """A printer the installer declares for the site: managers choose among these (docs/printers.md)."""

    class Meta:
        unknown = RAISE

    name = fields.String(
        required=True,
        validate=validate.Regexp(PRINTER_NAME, error="Printer names use letters, digits, '.', '_' and '-'."),
    )
    uri = fields.String(required=True, validate=validate.Length(1, 400))


NOTIFY_KEYS = (
    "notify_near_position",
    "notify_near_minutes",
    "notify_channels",
    "sms_unaccented",
    "remote_share",
    "remote_expire_calls",
)


class SiteSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=_CODE)
    name = _Text(required=True, validate=validate.Length(1, 200))
    name_en = _Text(load_default="", validate=validate.Length(0, 200))
    address = _Text(load_default="", validate=validate.Length(0, 400))
    timezone = fields.String(load_default="Asia/Ho_Chi_Minh")
    hours = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), load_default=dict)
    closed_dates = fields.List(fields.Date(), load_default=list)
    always_open = fields.Boolean(load_default=False)
    default_printer = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 400))
    ticket_footer = _Text(load_default="", validate=validate.Length(0, 400))
    priority_streak = fields.Integer(load_default=3, validate=validate.Range(0, 100))
    appointment_due_minutes = fields.Integer(load_default=10, validate=validate.Range(0, 240))
    person_ticket_limit = fields.Integer(load_default=3, validate=validate.Range(0, 100))
    settings = fields.Dict(load_default=dict)
    booking = fields.Nested(BookingSchema, load_default=dict)
    announce_english = fields.Boolean(load_default=False)  # wall displays: English after Vietnamese
    ratings = fields.Nested(RatingsSchema, load_default=dict)  # satisfaction ratings
    # Near-turn messages and remote tickets (server/domain/near_turn.py); kept together in ``Site.notify``.
    notify_near_position = fields.Integer(validate=validate.Range(0, 100))
    notify_near_minutes = fields.Integer(validate=validate.Range(0, 240))
    notify_channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)), validate=validate.Length(max=3)
    )
    sms_unaccented = fields.Boolean()
    remote_share = fields.Float(validate=validate.Range(0, 1))
    remote_expire_calls = fields.Integer(validate=validate.Range(1, 1000))
    services = fields.List(fields.Nested(ServiceSchema), load_default=list)
    counters = fields.List(fields.Nested(CounterSchema), load_default=list)
    # The printers declared for the site; absent: those declared already stay as they are.
    printers = fields.List(
        fields.Nested(DeclaredPrinterSchema), load_default=None, validate=validate.Length(max=100)
    )

    @validates("timezone")
    def _timezone(self, value: str, **_: Any) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"Unknown time zone {value!r}.") from exc

    @validates("hours")
    def _hours(self, value: Mapping[str, list[str]], **_: Any) -> None:
        try:
            OpeningHours.parse(value)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc

    @validates_schema
    def _references(self, data: Mapping[str, Any], **_: Any) -> None:
        codes = [s["code"] for s in data.get("services", [])]
        if len(codes) != len(set(codes)):
            raise ValidationError("Service codes must be unique within a site.", "services")
        printers = data.get("printers") or []
        if len({p["name"] for p in printers}) != len(printers):
            raise ValidationError("Printer names must be unique within a site.", "printers")
        counters = data.get("counters", [])
        if len({c["code"] for c in counters}) != len(counters):
            raise ValidationError("Counter codes must be unique within a site.", "counters")
        for counter in counters:
            unknown = sorted(set(counter["services"]) - set(codes))
            if unknown:
                raise ValidationError(
                    f"Counter {counter['code']} serves unknown service(s): {', '.join(unknown)}.", "counters"
                )


class CommuneSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(
        required=True, validate=validate.Regexp(r"^\d{5}$", error="A commune code has 5 digits.")
    )
    name = _Text(required=True, validate=validate.Length(1, 200))
    province = _Text(load_default="", validate=validate.Length(0, 200))
    sites = fields.List(fields.Nested(SiteSchema), required=True, validate=validate.Length(min=1))


class ConfigSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # room for sections other tools read (comments, anchors)

    communes = fields.List(fields.Nested(CommuneSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _unique_sites(self, data: Mapping[str, Any], **_: Any) -> None:
        codes = [s["code"] for c in data["communes"] for s in c["sites"]]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValidationError(f"Site codes must be unique: {', '.join(duplicates)}.", "communes")


@dataclass
class LoadReport:
    """What a load created, updated, and found in the database but not in the file."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list[str] = field(default_factory=list)
    page_owned: list[str] = field(default_factory=list)  # settings left as set on the page
    taken_back: list[str] = field(default_factory=list)  # settings given back to the file (--take-back)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def read_config_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InvalidValue(
            N_("The file %(path)s cannot be read: %(error)s"), path=str(path), error=str(exc)
        ) from exc
    if not isinstance(document, dict):
        raise InvalidValue(N_("The file %(path)s has no 'communes' section."), path=str(path))
    return document


def validate_config(document: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return dict(ConfigSchema().load(document))
    except ValidationError as exc:
        raise InvalidValue(
            N_("The configuration is not valid: %(errors)s"),
            code="invalid_config",
            errors=_flatten(exc.messages),
        ) from exc


PrinterCheck = Callable[[str], str]  # a URI checked against the drivers and printer folders, normalised


# A setting the page may own, by its key in the file, and the column that holds it.
PAGE_SETTINGS = {"target_wait_minutes": "target_wait_minutes", "open": "is_open", "services": "services"}


def load_config(
    uow: UnitOfWork,
    document: Mapping[str, Any],
    at: datetime,
    check_printer: PrinterCheck | None = None,
    *,
    take_back: bool = False,
) -> LoadReport:
    """Create or update everything the document describes, in one transaction. ``check_printer`` (the
    command line's) checks each declared printer and ``default_printer``; a ``default_printer`` may
    name a declared printer. The settings set on the page are left (and reported), unless
    ``take_back`` gives them back to the file."""
    config = validate_config(document)
    _check_printers(config, check_printer)
    report = LoadReport()
    with uow:
        session = uow.session
        for commune_data in config["communes"]:
            commune = _upsert(
                session,
                Commune,
                {"code": commune_data["code"]},
                commune_data,
                ("name", "province"),
                report,
                f"commune {commune_data['code']}",
            )
            session.flush()
            for site_data in commune_data["sites"]:
                site_values = {
                    k: v for k, v in site_data.items() if k not in ("services", "counters", "printers")
                }
                site_values["notify"] = {k: site_values.pop(k) for k in NOTIFY_KEYS if k in site_values}
                site_values["closed_dates"] = [d.isoformat() for d in site_values["closed_dates"]]
                site_values["commune_id"] = commune.id
                site = _upsert(
                    session,
                    Site,
                    {"code": site_data["code"]},
                    site_values,
                    tuple(site_values),
                    report,
                    f"site {site_data['code']}",
                )
                session.flush()
                if site_data["printers"] is not None and replace_declared(
                    session, site.id, [DeclaredPrinter(p["name"], p["uri"]) for p in site_data["printers"]]
                ):
                    report.updated.append(f"printers of site {site.code}")
                services: dict[str, Service] = {}
                for position, service_data in enumerate(site_data["services"]):
                    values = {
                        **service_data,
                        "is_open": service_data["open"],
                        "position": position,
                        "site_id": site.id,
                    }
                    del values["open"]
                    label = f"service {site.code}/{service_data['code']}"
                    existing = session.scalar(
                        select(Service).filter_by(site_id=site.id, code=service_data["code"])
                    )
                    left = _owner(existing, take_back, report, label)
                    for key in left:
                        column = PAGE_SETTINGS[key]
                        report.page_owned.append(
                            f"{label} {key}: {_plain(getattr(existing, column))}"
                            f" (the file: {_plain(values[column])})"
                        )
                    columns = tuple(c for c in values if c not in {PAGE_SETTINGS[k] for k in left})
                    services[service_data["code"]] = _upsert(
                        session,
                        Service,
                        {"site_id": site.id, "code": service_data["code"]},
                        values,
                        columns,
                        report,
                        label,
                    )
                session.flush()
                known = {
                    s.code: s for s in session.scalars(select(Service).where(Service.site_id == site.id))
                }
                report.not_in_file += [f"service {site.code}/{c}" for c in sorted(set(known) - set(services))]
                for counter_data in site_data["counters"]:
                    values = {k: v for k, v in counter_data.items() if k != "services"}
                    values["site_id"] = site.id
                    label = f"counter {site.code}/{counter_data['code']}"
                    current = session.scalar(
                        select(Counter).filter_by(site_id=site.id, code=counter_data["code"])
                    )
                    left = _owner(current, take_back, report, label)
                    counter = _upsert(
                        session,
                        Counter,
                        {"site_id": site.id, "code": counter_data["code"]},
                        values,
                        tuple(values),
                        report,
                        f"counter {site.code}/{counter_data['code']}",
                    )
                    wanted = [known[code].id for code in counter_data["services"]]
                    if "services" in left:
                        codes = {s.id: s.code for s in known.values()}
                        report.page_owned.append(
                            f"{label} services: {', '.join(codes[i] for i in counter.service_ids)}"
                            f" (the file: {', '.join(counter_data['services'])})"
                        )
                    elif counter.service_ids != wanted:
                        counter.links = [
                            CounterService(service_id=sid, position=i) for i, sid in enumerate(wanted)
                        ]
                        label = f"counter {site.code}/{counter_data['code']}"
                        if label not in report.created and label not in report.updated:
                            report.updated.append(label)
                session.flush()
        uow.commit()
    return report


def _owner(record: Any, take_back: bool, report: LoadReport, label: str) -> list[str]:
    """The settings of ``record`` the page owns and this load leaves; with ``take_back``, none: they are
    the file's again (and reported so)."""
    owned = list(record.page_owned or []) if record is not None else []
    if owned and take_back:
        record.page_owned = []
        report.taken_back += [f"{label} {key}" for key in owned]
        return []
    return [key for key in owned if key in PAGE_SETTINGS]


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_printers(config: dict[str, Any], check: PrinterCheck | None) -> None:
    """Each declared printer's URI and each ``default_printer`` (a URI or a declared printer's name)."""
    for commune in config["communes"]:
        for site in commune["sites"]:
            names: dict[str, str] = {}
            for printer in site["printers"] or []:
                printer["uri"] = _checked(
                    check, printer["uri"], f"site {site['code']}, printer {printer['name']}"
                )
                names[printer["name"]] = printer["uri"]
            default = site.get("default_printer")
            if default:
                site["default_printer"] = names.get(default) or _checked(
                    check, default, f"site {site['code']}, default_printer"
                )


def _checked(check: PrinterCheck | None, uri: str, where: str) -> str:
    if check is None:
        return uri
    try:
        return check(uri)
    except InvalidValue as exc:
        raise InvalidValue(
            N_("The configuration is not valid: %(errors)s"), code="invalid_printer", errors=f"{where}: {exc}"
        ) from exc


def _upsert(
    session: Any,
    model: Any,
    key: dict[str, Any],
    values: Mapping[str, Any],
    columns: tuple[str, ...],
    report: LoadReport,
    label: str,
) -> Any:
    record = session.scalar(select(model).filter_by(**key))
    if record is None:
        record = model(**key, **{c: values[c] for c in columns if c not in key})
        if model is Counter:
            record.status = "closed"
            record.links = []
        session.add(record)
        report.created.append(label)
        return record
    changed = False
    for column in columns:
        if column in key:
            continue
        if getattr(record, column) != values[column]:
            setattr(record, column, values[column])
            changed = True
    if changed:
        report.updated.append(label)
    else:
        report.unchanged += 1
    return record


def _flatten(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, dict):
        return "; ".join(_flatten(v, f"{prefix}.{k}" if prefix else str(k)) for k, v in messages.items())
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return f"{prefix}: {' '.join(messages)}"
    if isinstance(messages, list):
        return "; ".join(_flatten(m, prefix) for m in messages)
    return f"{prefix}: {messages}"
