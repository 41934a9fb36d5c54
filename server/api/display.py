"""What wall displays need besides the snapshot: a site's notices and the audio of each call."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..domain.announcement import LANGUAGES, ticket_number_words
from ..domain.errors import N_, NotFound
from ..domain.notices import MAX_NOTICES, MAX_TEXT, NoticeInfo
from ..extension import luot
from ..services import display as display_service
from ..voice import MissingClip, Voice
from .access import principal, staff_principal
from .docs import error, secured
from .fields import Text
from .schemas import RequestSchema

blp = Blueprint("wall_display", __name__, description="Wall displays: notices and call announcements")


class NoticeSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    starts_at = fields.DateTime(allow_none=True, required=True)
    ends_at = fields.DateTime(allow_none=True, required=True)


class NoticeInputSchema(RequestSchema):
    text = Text(max_length=MAX_TEXT, required=True, validate=validate.Length(min=1))
    starts_at = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={"description": "Shown from then on (default: now)."}
    )
    ends_at = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={"description": "Shown until then (default: always)."}
    )


class NoticesInputSchema(RequestSchema):
    notices = fields.List(
        fields.Nested(NoticeInputSchema), required=True, validate=validate.Length(max=MAX_NOTICES)
    )


class AnnouncementQuerySchema(RequestSchema):
    number = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9]{1,16}$"),
        metadata={"description": "The ticket number as shown, e.g. A012."},
    )
    counter = fields.Integer(
        required=True, validate=validate.Range(1, 999), metadata={"description": "The counter's number."}
    )


@blp.route("/sites/<id:site_id>/notices")
@blp.response(200, NoticeSchema(many=True))
@secured(blp)
def notices(site_id: int) -> Any:
    """The site's notices in their order, with their active periods (devices and staff of the site)."""
    with luot().read() as session:
        return display_service.list_notices(session, principal(), site_id)


@blp.route("/sites/<id:site_id>/notices", methods=["PUT"])
@blp.arguments(NoticesInputSchema)
@blp.response(200, NoticeSchema(many=True))
@error(blp, 422, "A notice without text, too long, ending before it starts, or too many notices")
@secured(blp)
def replace_notices(data: dict[str, Any], site_id: int) -> Any:
    """Replace the site's notices (managers and admins of the site); its displays update at once."""
    extension = luot()
    return display_service.replace_notices(
        display_service.ReplaceNotices(
            actor=staff_principal(),
            site_id=site_id,
            notices=tuple(NoticeInfo(**notice) for notice in data["notices"]),
            at=extension.now(),
        ),
        extension.uow(),
    )


@blp.route("/sites/<id:site_id>/announcement.wav")
@blp.arguments(AnnouncementQuerySchema, location="query")
@blp.response(200, description="WAV audio: a chime, then the call in Vietnamese (and English)")
@error(blp, 404, "The site has no counter with that number")
@secured(blp)
def announcement(args: dict[str, Any], site_id: int) -> Any:
    """The announcement of a call: "Mời công dân có số thứ tự A012 đến quầy số 3" (devices and staff
    of the site). ``Content-Language`` says which languages it speaks."""
    with luot().read() as session:
        readings = display_service.announcement_readings(
            session, principal(), site_id, args["number"], args["counter"]
        )
    fingerprint, wav = voice().announcement(readings)
    response = Response(wav, mimetype="audio/wav")
    response.set_etag(fingerprint)  # changes with the clips it was made of
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    response.headers["Content-Language"] = ", ".join(language for language, _words in readings)
    return response.make_conditional(request)


def voice() -> Voice:
    """The app's voice: built-in clips, a centre's own recordings, and the cache, in the instance folder."""
    extensions = current_app.extensions
    if "luot.voice" not in extensions:
        extensions["luot.voice"] = Voice(Path(current_app.instance_path))
    found: Voice = extensions["luot.voice"]
    return found


# -- the kiosk's speech mode: the same recorded clips, one at a time -----------------------------------

CLIP_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


class TicketReadingQuerySchema(RequestSchema):
    number = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9]{1,16}$"),
        metadata={"description": "The ticket number as shown, e.g. A012."},
    )


class ReadingSchema(Schema):
    clips = fields.List(fields.String(), required=True)


@blp.route("/voice/<string(length=2):language>/<string(maxlength=40):name>.wav")
@blp.response(200, description="WAV audio: one recorded clip (a centre's own recording, else built in)")
@error(blp, 404, "No such clip in that language")
def voice_clip(language: str, name: str) -> Any:
    """One clip of the voice, for the kiosk's speech mode (public: recorded words, nothing personal)."""
    if language not in LANGUAGES or not CLIP_NAME.match(name):
        raise NotFound(N_("There is no such clip."))
    try:
        path = voice().clip_path(language, name)
    except MissingClip:
        raise NotFound(N_("There is no such clip.")) from None
    response = Response(path.read_bytes(), mimetype="audio/wav")  # a clip is a few kilobytes
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@blp.route("/voice/<string(length=2):language>/ticket")
@blp.arguments(TicketReadingQuerySchema, location="query")
@blp.response(200, ReadingSchema)
@error(blp, 404, "No voice in that language")
def ticket_reading(args: dict[str, Any], language: str) -> Any:
    """The clips that read "số thứ tự A012" aloud, in order (the speech mode's ticket screen)."""
    if language not in LANGUAGES:
        raise NotFound(N_("There is no such clip."))
    return {"clips": ["call", *ticket_number_words(args["number"], language)]}
