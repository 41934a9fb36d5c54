"""Site boxes: what a box calls on its upstream (with its site-box token), and each site's sync status.

- ``GET /api/v1/site-box/feed?after=CURSOR`` — the box's site: configuration, accounts, devices, and the
  bookings changed after the cursor
- ``POST /api/v1/site-box/hello`` ``{box_seq, box_changes}`` → ``{applied, seq}``: where to resume
- ``POST /api/v1/site-box/changes`` ``{box_seq, box_changes, changes: [{number, seq, rows, events}]}`` →
  ``{applied, seq}``: stored in order, each once
- ``GET /api/v1/sites/{id}/sync`` (admin, manager) → ``{mode, last_seen_at, box_seq, upstream_seq, behind}``
- ``GET /api/v1/sites/{id}/elsewhere`` (public) → the commune's other intake points as a box last heard of
  them, with their age (the kiosk's cross-site suggestion at a box)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy.exc import DataError, IntegrityError

from ..domain.errors import N_, BadRequest, Conflict, Forbidden, Unauthorized
from ..extension import luot
from ..services.accounts.auth import authenticate
from ..services.site_boxes import box, links, upstream
from .access import bearer_token, staff_principal
from .docs import BEARER, error, secured
from .schemas import RequestSchema

blp = Blueprint("site_boxes", __name__, description="Site boxes and their upstream")


class SyncSchema(RequestSchema):
    site_id = fields.Integer(dump_only=True)
    mode = fields.String(dump_only=True, metadata={"description": "`site_box` or `local`"})
    last_seen_at = fields.DateTime(dump_only=True, allow_none=True)
    box_seq = fields.Integer(dump_only=True)
    upstream_seq = fields.Integer(dump_only=True)
    behind = fields.Integer(dump_only=True, metadata={"description": "Events the upstream has yet to get"})


@blp.route("/sites/<id:site_id>/sync")
@blp.response(200, SyncSchema)
@error(blp, 404, "No such site")
@secured(blp)
def sync_status(site_id: int) -> Any:
    """How far the upstream is behind the site's box (admins and the site's managers)."""
    with luot().read() as session:
        return links.sync_status(session, staff_principal(), site_id)


class ElsewhereServiceSchema(RequestSchema):
    code = fields.String(dump_only=True)
    open_now = fields.Boolean(dump_only=True)
    waiting = fields.Integer(dump_only=True)
    estimated_wait_s = fields.Integer(dump_only=True)


class ElsewhereSiteSchema(RequestSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    name_en = fields.String(dump_only=True, allow_none=True)
    address = fields.String(dump_only=True, allow_none=True)
    open_now = fields.Boolean(dump_only=True)


class ElsewhereSchema(RequestSchema):
    site = fields.Nested(ElsewhereSiteSchema, dump_only=True)
    age_s = fields.Integer(dump_only=True, metadata={"description": "How old the figures are (seconds)"})
    services = fields.List(fields.Nested(ElsewhereServiceSchema), dump_only=True)


@blp.route("/sites/<id:site_id>/elsewhere")
@blp.response(200, ElsewhereSchema(many=True))
def elsewhere(site_id: int) -> Any:
    """On a site box: the commune's other intake points and their waits as the upstream last sent them,
    with their age; empty when older than ``LUOT_ELSEWHERE_MAX_AGE_S`` (5 min) and on a server that is no
    box (there ``/sites`` and ``/sites/{id}/wait`` give them live)."""
    extension = luot()
    max_age = timedelta(seconds=int(current_app.config.get("LUOT_ELSEWHERE_MAX_AGE_S", 300)))
    with extension.read() as session:
        return box.elsewhere(session, site_id, extension.now(), max_age)


def _link() -> tuple[int, int]:
    """The link id and site of the request's site-box token (401 otherwise)."""
    extension = luot()
    with extension.read() as session:
        try:
            link = links.authenticate(session, bearer_token())
        except Unauthorized:
            if bearer_token() and authenticate(session, bearer_token(), extension.now()):
                raise Forbidden(N_("Only a site box may do this."), code="site_box_only") from None
            raise
        return link.id, link.site_id


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(N_("The request is malformed."))
    return body


def _count(body: dict[str, Any], name: str) -> int:
    value = body.get(name, 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**62:
        raise BadRequest(N_("The request is malformed."))
    return value


@blp.route("/site-box/feed")
@blp.doc(security=BEARER)
@error(blp, 401, "No site-box token, or a revoked one")
def feed() -> Any:
    """The configuration, accounts, devices and bookings of the token's site (the box pulls it)."""
    _link_id, site_id = _link()
    extension = luot()
    after = request.args.get("after", "")
    with extension.read() as session:
        try:
            return upstream.site_feed(session, site_id, after[:64], extension.now())
        except ValueError:
            raise BadRequest(N_("The request is malformed.")) from None


@blp.route("/site-box/hello", methods=["POST"])
@blp.doc(security=BEARER)
@error(blp, 401, "No site-box token, or a revoked one")
def hello() -> Any:
    """A box says what it holds and learns where the upstream wants it to resume."""
    link_id, _site_id = _link()
    body = _body()
    extension = luot()
    applied = upstream.seen(
        extension.uow(), link_id, _count(body, "box_seq"), _count(body, "box_changes"), extension.now()
    )
    return {"applied": applied.applied, "seq": applied.seq}


@blp.route("/site-box/changes", methods=["POST"])
@blp.doc(security=BEARER)
@error(blp, 401, "No site-box token, or a revoked one")
@error(blp, 403, "A record of another site")
def changes() -> Any:
    """Store a batch of the box's changes, in order and each once (idempotent on the change number)."""
    link_id, _site_id = _link()
    body = _body()
    batch = body.get("changes")
    if not isinstance(batch, list) or not all(isinstance(c, dict) for c in batch):
        raise BadRequest(N_("The request is malformed."))
    extension = luot()
    try:
        applied = upstream.apply_changes(
            extension.uow(),
            link_id,
            batch,
            _count(body, "box_seq"),
            _count(body, "box_changes"),
            extension.now(),
        )
    except (KeyError, TypeError, ValueError, DataError):
        raise BadRequest(N_("The request is malformed.")) from None
    except IntegrityError:
        raise Conflict(
            N_("These records do not fit the site's configuration."), code="sync_conflict"
        ) from None
    return {"applied": applied.applied, "seq": applied.seq}
