"""Statistics for managers: a period's figures of one site or of a commune's sites, as JSON or CSV,
and the ticket log of a period as CSV."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields

from ..extension import luot
from ..services import stats
from .access import staff_principal
from .docs import error, secured
from .schemas import RequestSchema

blp = Blueprint("stats", __name__, description="Statistics and exports for managers")

COMMUNE_CODE = "<string(maxlength=16):code>"


class PeriodQuerySchema(RequestSchema):
    first = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "First local date (YYYY-MM-DD); default today."},
    )
    last = fields.Date(
        data_key="to",
        load_default=None,
        metadata={"description": "Last local date, included; default today (or `from` if later)."},
    )


def _report(kind: str, owner: int | str, args: dict[str, Any]) -> tuple[stats.Scope, Any]:
    """Resolve the scope (403 for a site the caller does not manage) and compute ``kind``."""
    extension = luot()
    actor = staff_principal()
    with extension.read() as session:
        if isinstance(owner, int):
            scope = stats.site_scope(session, actor, owner, args["first"], args["last"], extension.now())
        else:
            scope = stats.commune_scope(session, actor, owner, args["first"], args["last"], extension.now())
        if kind == "report":
            return scope, stats.compute(session, scope, extension.now())
        return scope, stats.ticket_log_csv(session, scope)


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _documented(view: Any) -> Any:
    view = error(blp, 422, "A bad date, a period ending before it starts, or longer than a year")(view)
    return secured(blp)(view)


@blp.route("/sites/<id:site_id>/stats")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200)
@_documented
def site_stats(args: dict[str, Any], site_id: int) -> Any:
    """A site's figures for a period (manager of the site, or admin). See docs/stats.md."""
    return _report("report", site_id, args)[1]


@blp.route("/sites/<id:site_id>/stats.csv")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
@_documented
def site_stats_csv(args: dict[str, Any], site_id: int) -> Any:
    """The same figures as CSV: one row per (section, key, name, metric, value)."""
    scope, report = _report("report", site_id, args)
    return _csv(stats.report_csv(report), stats.csv_name(scope, "stats"))


@blp.route("/sites/<id:site_id>/tickets.csv")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
@_documented
def site_ticket_log(args: dict[str, Any], site_id: int) -> Any:
    """The ticket log of a period as CSV (no phone numbers or identity numbers)."""
    scope, text = _report("log", site_id, args)
    return _csv(text, stats.csv_name(scope, "tickets"))


@blp.route(f"/communes/{COMMUNE_CODE}/stats")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200)
@error(blp, 404, "No such commune")
@_documented
def commune_stats(args: dict[str, Any], code: str) -> Any:
    """The figures of every site of a commune that the caller manages, together."""
    return _report("report", code, args)[1]


@blp.route(f"/communes/{COMMUNE_CODE}/stats.csv")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
@error(blp, 404, "No such commune")
@_documented
def commune_stats_csv(args: dict[str, Any], code: str) -> Any:
    """The commune's figures as CSV."""
    scope, report = _report("report", code, args)
    return _csv(stats.report_csv(report), stats.csv_name(scope, "stats"))


@blp.route(f"/communes/{COMMUNE_CODE}/tickets.csv")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
@error(blp, 404, "No such commune")
@_documented
def commune_ticket_log(args: dict[str, Any], code: str) -> Any:
    """The ticket log of the commune's sites that the caller manages, as CSV."""
    scope, text = _report("log", code, args)
    return _csv(text, stats.csv_name(scope, "tickets"))
