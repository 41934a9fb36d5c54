"""Satisfaction ratings (đánh giá mức độ hài lòng): the citizen's phone, the counter's rating pad, the
site's reasons, the clerk's own day, and the exports for the province's one-door system (docs/ratings.md)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..domain.access import Principal
from ..domain.periods import check_report_days
from ..extension import luot
from ..services import ratings, stats
from ..services.queue import views as queries
from .access import principal, staff_principal
from .docs import error, secured
from .fields import Text
from .schemas import RequestSchema
from .stats import PeriodQuerySchema

blp = Blueprint("ratings", __name__, description="Satisfaction ratings by citizens")


class RateSchema(RequestSchema):
    score = fields.Integer(
        required=True, strict=True, validate=validate.Range(1, 5), metadata={"description": "1–5"}
    )
    reasons = fields.List(
        fields.String(validate=validate.Length(1, 32)), load_default=list, validate=validate.Length(max=20)
    )
    comment = Text(max_length=500, load_default=None, allow_none=True)


class RatedSchema(RequestSchema):
    ticket = fields.Dict(required=True)
    score = fields.Integer(required=True)
    reasons = fields.List(fields.String(), required=True)
    channel = fields.String(required=True, metadata={"enum": ["phone", "counter"]})


class ReasonSchema(RequestSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class DossierQuerySchema(PeriodQuerySchema):
    dossier_code = fields.String(load_default=None, validate=validate.Length(1, 64))


def _answer(info: ratings.RatingInfo) -> dict[str, Any]:
    return {
        "ticket": info.ticket,
        "score": info.score,
        "reasons": list(info.reasons),
        "channel": info.channel,
    }


@blp.route("/tickets/status/<string(maxlength=64):public_code>/rating", methods=["POST"])
@blp.arguments(RateSchema)
@blp.response(201, RatedSchema)
@error(blp, 404, "No such ticket")
@error(blp, 409, "The ticket is not served yet (not_served), or already rated (already_rated)")
@error(blp, 410, "The rating window has passed (rating_closed)")
@error(blp, 422, "A score outside 1–5 or an unknown reason")
def rate_by_phone(data: dict[str, Any], public_code: str) -> Any:
    """The citizen rates their served ticket on its status page (public: the phone holds the code)."""
    extension = luot()
    info = ratings.rate_by_phone(
        ratings.RateTicket(
            public_code=public_code,
            score=data["score"],
            reasons=data["reasons"],
            comment=data["comment"],
            at=extension.now(),
        ),
        extension.uow(),
    )
    return _answer(info)


@blp.route("/tickets/status/<string(maxlength=64):public_code>/rating")
@blp.response(200)
@error(blp, 404, "No such ticket")
def phone_offer(public_code: str) -> Any:
    """Whether the status page may still ask: ``{open, rated, score, closes_at, reasons}``."""
    extension = luot()
    with extension.read() as session:
        ticket = queries.ticket_by_code(session, public_code)
        return ratings.phone_offer(session, ticket, extension.now())


@blp.route("/tickets/<id:ticket_id>/rating", methods=["POST"])
@blp.arguments(RateSchema)
@blp.response(201, RatedSchema)
@error(blp, 409, "Not served (not_served), or already rated (already_rated)")
@error(blp, 410, "The pad's window has passed (rating_closed)")
@error(blp, 422, "A score outside 1–5 or an unknown reason")
@secured(blp)
def rate_by_pad(data: dict[str, Any], ticket_id: int) -> Any:
    """The rating pad of the counter that served the ticket (its device token); 403 for anyone else."""
    extension = luot()
    info = ratings.rate_by_pad(
        ratings.RateTicket(
            ticket_id=ticket_id,
            actor=principal(),
            score=data["score"],
            reasons=data["reasons"],
            comment=data["comment"],
            at=extension.now(),
        ),
        extension.uow(),
    )
    return _answer(info)


@blp.route("/sites/<id:site_id>/rating-reasons")
@blp.response(200, ReasonSchema(many=True))
@error(blp, 404, "No such site")
def rating_reasons(site_id: int) -> Any:
    """The reasons a citizen may give for a low score (the site's list, or the defaults)."""
    with luot().read() as session:
        return [asdict(reason) for reason in ratings.reasons_of(session, site_id)]


@blp.route("/rating-pad")
@blp.response(200)
@secured(blp)
def pad_state() -> Any:
    """What a rating pad shows: its counter, clerk, the number being served and a question still open."""
    extension = luot()
    actor = principal()
    with extension.read() as session:
        return ratings.pad_state(session, actor, extension.now())


@blp.route("/me/ratings")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200)
@secured(blp)
def my_ratings(args: dict[str, Any]) -> Any:
    """The signed-in clerk's own ratings of a day (default today), at every site of theirs: score,
    reasons, channel, ticket number and time — never who gave them."""
    extension = luot()
    actor = staff_principal()
    check_report_days(args["last"])  # read as one day, ``from``; a ``to`` is still a date of a report
    with extension.read() as session:
        return ratings.clerk_ratings(session, actor, args["first"], extension.now())


def _export(actor: Principal, site_id: int | None, code: str | None, args: dict[str, Any]) -> Any:
    extension = luot()
    with extension.read() as session:
        if site_id is not None:
            scope = stats.site_scope(session, actor, site_id, args["first"], args["last"], extension.now())
        else:
            assert code is not None
            scope = stats.commune_scope(session, actor, code, args["first"], args["last"], extension.now())
        start, end = scope.bounds()
        rows = ratings.export_rows(session, scope.site_ids, start, end, args.get("dossier_code"))
        return scope, rows


@blp.route("/sites/<id:site_id>/ratings")
@blp.arguments(DossierQuerySchema, location="query")
@blp.response(200)
@error(blp, 422, "A bad period")
@secured(blp)
def site_ratings(args: dict[str, Any], site_id: int) -> Any:
    """The period's ratings per dossier code (mã hồ sơ), for the province's one-door system."""
    _scope, rows = _export(staff_principal(), site_id, None, args)
    return rows


@blp.route("/sites/<id:site_id>/ratings.csv")
@blp.arguments(DossierQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
@error(blp, 422, "A bad period")
@secured(blp)
def site_ratings_csv(args: dict[str, Any], site_id: int) -> Any:
    """The same ratings as CSV (one row per rating; no comment, nothing personal)."""
    scope, rows = _export(staff_principal(), site_id, None, args)
    return _csv(ratings.export_csv(rows, scope.timezone), stats.csv_name(scope, "ratings"))


@blp.route("/communes/<string(maxlength=16):code>/ratings")
@blp.arguments(DossierQuerySchema, location="query")
@blp.response(200)
@error(blp, 404, "No such commune")
@secured(blp)
def commune_ratings(args: dict[str, Any], code: str) -> Any:
    """The ratings of the commune's sites that the caller manages, per dossier code (JSON)."""
    _scope, rows = _export(staff_principal(), None, code, args)
    return rows


@blp.route("/communes/<string(maxlength=16):code>/ratings.csv")
@blp.arguments(DossierQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
@error(blp, 404, "No such commune")
@secured(blp)
def commune_ratings_csv(args: dict[str, Any], code: str) -> Any:
    """The ratings of the commune's sites that the caller manages, as CSV."""
    scope, rows = _export(staff_principal(), None, code, args)
    return _csv(ratings.export_csv(rows, scope.timezone), stats.csv_name(scope, "ratings"))


def _csv(text: str, filename: str) -> Response:
    return Response(
        text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
