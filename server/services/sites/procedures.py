"""The procedure guide (hướng dẫn thủ tục): what a citizen should bring for each procedure of a service.

``luot procedures load FILE`` reads a procedure file (YAML; JSON accepted; docs/procedures.md) and stores
its procedures in one transaction, as ``luot config load`` does with sites:

- idempotent: procedures are matched by ``code`` (their code in the national procedure database), so
  loading the same file twice changes nothing and loading an edited file updates what changed;
- a procedure that was loaded before and is absent from the file is hidden, not deleted (it comes back
  when a file names it again), so the history of what was shown stays;
- a bad file changes nothing: it is read and checked whole before the transaction opens, and the error
  names the line of the file where the problem is (from the YAML parser's marks).

A procedure belongs to a service by the service's code: it is shown under that service at every site
that has one (``HT`` at both intake points of a commune), or only at the sites the file names
(``sites: [KB1]``). The public read is :func:`site_procedures` (``GET /api/v1/sites/{id}/procedures``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...db.models import Procedure, Service, Site
from ...domain.errors import N_, InvalidValue, NotFound
from ...domain.text import nfc
from ..core.unit_of_work import UnitOfWork

_CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$", error="Codes use letters, digits, '.', '_' and '-'.")


class _Text(fields.String):
    """A string stored NFC-normalised, without surrounding blanks."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return nfc(super()._deserialize(value, attr, data, **kwargs)).strip()


class DocumentSchema(Schema):
    """One paper to bring (giấy tờ), in Vietnamese and English."""

    class Meta:
        unknown = RAISE

    name = _Text(required=True, validate=validate.Length(1, 400))
    name_en = _Text(load_default="", validate=validate.Length(0, 400))


class _Document(fields.Nested):
    """A paper: ``{name, name_en}``, or just its Vietnamese name as a string."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, partial: Any = None, **kwargs: Any
    ) -> Any:
        if isinstance(value, str):
            value = {"name": value}
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


class ProcedureSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=_CODE)
    service = fields.String(required=True, validate=_CODE)
    sites = fields.List(fields.String(validate=_CODE), load_default=list, validate=validate.Length(max=100))
    name = _Text(required=True, validate=validate.Length(1, 300))
    name_en = _Text(load_default="", validate=validate.Length(0, 300))
    documents = fields.List(_Document(DocumentSchema), required=True, validate=validate.Length(1, 40))
    fee = _Text(load_default="", validate=validate.Length(0, 400))
    fee_en = _Text(load_default="", validate=validate.Length(0, 400))
    processing_time = _Text(load_default="", validate=validate.Length(0, 200))
    processing_time_en = _Text(load_default="", validate=validate.Length(0, 200))
    note = _Text(load_default="", validate=validate.Length(0, 1000))
    note_en = _Text(load_default="", validate=validate.Length(0, 1000))


class ProcedureFileSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # room for other sections (anchors, comments for other tools)

    procedures = fields.List(
        fields.Nested(ProcedureSchema), required=True, validate=validate.Length(max=2000)
    )

    @validates_schema
    def _unique_codes(self, data: Mapping[str, Any], **_: Any) -> None:
        seen: set[str] = set()
        for index, procedure in enumerate(data["procedures"]):
            if procedure["code"] in seen:
                raise ValidationError(
                    {"procedures": {index: {"code": [f"The code {procedure['code']} appears twice."]}}}
                )
            seen.add(procedure["code"])


# -- reading a file, with the line of every value -------------------------------------------------------


@dataclass
class ProcedureFile:
    """A procedure file as read: its document and, for the messages, where each value sits in it."""

    path: Path
    document: Any
    node: yaml.Node | None = None

    def line_of(self, where: Sequence[str | int]) -> int | None:
        """The 1-based line of the value at ``where`` (keys and list indexes), or of its nearest parent."""
        node, line = self.node, None
        for step in where:
            if node is None:
                break
            line = node.start_mark.line + 1
            node = _child(node, step)
        if node is not None:
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(step):
                found: yaml.Node = value
                return found
    if isinstance(node, yaml.SequenceNode) and str(step).isdigit() and int(step) < len(node.value):
        child: yaml.Node = node.value[int(step)]
        return child
    return None


def read_procedure_file(path: Path) -> ProcedureFile:
    """Read ``path`` (YAML, or JSON when it ends in ``.json``); a syntax error names its line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _bad(path, exc.lineno, exc.msg) from exc
        try:  # JSON is YAML: its nodes give the lines of the checks' messages
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            node = None
        return ProcedureFile(path, document, node)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise _bad(path, mark.line + 1 if mark else None, problem) from exc
    except yaml.YAMLError as exc:
        raise _bad(path, None, str(exc)) from exc
    finally:
        loader.dispose()
    return ProcedureFile(path, document, node)


def _bad(path: Path, line: int | None, problem: str) -> InvalidValue:
    if line is None:
        return InvalidValue(
            N_("The procedure file %(path)s is not valid: %(problem)s"),
            code="invalid_procedures",
            path=str(path),
            problem=problem,
        )
    return InvalidValue(
        N_("The procedure file %(path)s is not valid at line %(line)s: %(problem)s"),
        code="invalid_procedures",
        path=str(path),
        line=line,
        problem=problem,
    )


def validate_procedures(source: ProcedureFile) -> list[dict[str, Any]]:
    """The file's procedures, checked; the first problem found raises, with its line."""
    if not isinstance(source.document, dict) or "procedures" not in source.document:
        raise _bad(source.path, 1, "the file has no 'procedures' list")
    try:
        loaded = ProcedureFileSchema().load(source.document)
    except ValidationError as exc:
        where, message = _first(exc.messages)
        raise _bad(source.path, source.line_of(where), f"{'.'.join(map(str, where))}: {message}") from exc
    procedures: list[dict[str, Any]] = loaded["procedures"]
    return procedures


def _first(messages: Any, where: tuple[str | int, ...] = ()) -> tuple[tuple[str | int, ...], str]:
    """The path and text of the first message of marshmallow's nested error messages."""
    if isinstance(messages, dict):
        key = sorted(messages, key=lambda k: (not isinstance(k, int), str(k).zfill(8)))[0]
        if key == "_schema":
            return _first(messages[key], where)
        return _first(messages[key], (*where, key))
    if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        return where, " ".join(messages)
    if isinstance(messages, list) and messages:
        return _first(messages[0], where)
    return where, str(messages)


# -- loading ---------------------------------------------------------------------------------------------


@dataclass
class ProcedureReport:
    """What a load created, updated, hid (absent from the file) and left as it was."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    unchanged: int = 0


COLUMNS = (
    "service_code",
    "site_codes",
    "name",
    "name_en",
    "documents",
    "fee",
    "fee_en",
    "processing_time",
    "processing_time_en",
    "note",
    "note_en",
    "position",
    "hidden",
)


def load_procedures(uow: UnitOfWork, source: ProcedureFile, at: datetime) -> ProcedureReport:
    """Store the file's procedures in one transaction (nothing at all when the file is bad)."""
    procedures = validate_procedures(source)
    report = ProcedureReport()
    with uow:
        session = uow.session
        services = set(session.scalars(select(Service.code)))
        sites: dict[str, set[str]] = {code: set() for code in session.scalars(select(Site.code))}
        for service_code, site_code in session.execute(
            select(Service.code, Site.code).join(Site, Service.site_id == Site.id)
        ):
            sites[site_code].add(service_code)
        for index, data in enumerate(procedures):
            _check_references(source, index, data, services, sites)
        known = {p.code: p for p in session.scalars(select(Procedure))}
        for position, data in enumerate(procedures):
            values = {
                "service_code": data["service"],
                "site_codes": list(data["sites"]),
                "name": data["name"],
                "name_en": data["name_en"],
                "documents": [{"name": d["name"], "name_en": d["name_en"]} for d in data["documents"]],
                "fee": data["fee"],
                "fee_en": data["fee_en"],
                "processing_time": data["processing_time"],
                "processing_time_en": data["processing_time_en"],
                "note": data["note"],
                "note_en": data["note_en"],
                "position": position,
                "hidden": False,
            }
            record = known.pop(data["code"], None)
            if record is None:
                session.add(Procedure(code=data["code"], updated_at=at, **values))
                report.created.append(data["code"])
                continue
            changed = [c for c in COLUMNS if getattr(record, c) != values[c]]
            for column in changed:
                setattr(record, column, values[column])
            if changed:
                record.updated_at = at
                report.updated.append(data["code"])
            else:
                report.unchanged += 1
        for code, record in sorted(known.items()):
            if not record.hidden:
                record.hidden = True
                record.updated_at = at
                report.hidden.append(code)
        uow.commit()
    return report


def _check_references(
    source: ProcedureFile,
    index: int,
    data: Mapping[str, Any],
    services: set[str],
    sites: Mapping[str, set[str]],
) -> None:
    """Each procedure's service exists somewhere, and each site it names exists and has that service."""
    if data["service"] not in services:
        raise _bad(
            source.path,
            source.line_of(("procedures", index, "service")),
            f"procedures.{index}.service: no site has a service of code {data['service']}",
        )
    for position, site_code in enumerate(data["sites"]):
        if site_code not in sites or data["service"] not in sites[site_code]:
            problem = "there is no site" if site_code not in sites else f"it has no service {data['service']}"
            raise _bad(
                source.path,
                source.line_of(("procedures", index, "sites", position)),
                f"procedures.{index}.sites: {site_code}: {problem}",
            )


# -- reading, for the public ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    name: str
    name_en: str


@dataclass(frozen=True)
class ProcedureInfo:
    """A procedure as the public API shows it, under one service of one site."""

    code: str
    service_id: int
    service_code: str
    name: str
    name_en: str
    documents: tuple[DocumentInfo, ...]
    fee: str
    fee_en: str
    processing_time: str
    processing_time_en: str
    note: str
    note_en: str


def site_procedures(session: Session, site_id: int, service_id: int | None = None) -> list[ProcedureInfo]:
    """The procedures shown at a site (under one of its services, or all of them), in the file's order;
    hidden procedures are left out."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(N_("There is no such site."))
    services = {s.code: s for s in site.services if service_id is None or s.id == service_id}
    if service_id is not None and not services:
        raise NotFound(N_("There is no such service."))
    rows = session.scalars(
        select(Procedure)
        .where(Procedure.service_code.in_(list(services)), Procedure.hidden.is_(False))
        .order_by(Procedure.position, Procedure.code)
    )
    return [
        ProcedureInfo(
            code=p.code,
            service_id=services[p.service_code].id,
            service_code=p.service_code,
            name=p.name,
            name_en=p.name_en,
            documents=tuple(DocumentInfo(d["name"], d.get("name_en", "")) for d in p.documents),
            fee=p.fee,
            fee_en=p.fee_en,
            processing_time=p.processing_time,
            processing_time_en=p.processing_time_en,
            note=p.note,
            note_en=p.note_en,
        )
        for p in rows
        if not p.site_codes or site.code in p.site_codes
    ]
