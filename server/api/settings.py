"""Settings a manager changes often at their sites: services' targets and open state, counters' services."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields, validate

from ..extension import luot
from ..services.sites import settings as site_settings
from .access import staff_principal
from .docs import error, secured
from .fields import Id
from .schemas import RequestSchema

blp = Blueprint("settings", __name__, description="Site settings for managers")


class ServiceSettingsSchema(RequestSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    target_wait_minutes = fields.Integer(
        strict=True, validate=validate.Range(1, site_settings.MAX_TARGET_MINUTES), load_default=None
    )
    is_open = fields.Boolean(load_default=None, metadata={"description": "Whether it takes tickets now."})
    page_owned = fields.List(
        fields.String(),
        dump_only=True,
        metadata={
            "description": "The settings set on the page (`target_wait_minutes`, `open`): `luot config load` "
            "leaves them until `--take-back`."
        },
    )


class CounterSettingsSchema(RequestSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    number = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    service_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(1, 50),
        metadata={"description": "The services it serves, in its order of preference."},
    )
    page_owned = fields.List(
        fields.String(),
        dump_only=True,
        metadata={
            "description": "`services` once set on the page: `luot config load` leaves it "
            "until `--take-back`."
        },
    )


class SiteSettingsSchema(RequestSchema):
    site_id = fields.Integer(dump_only=True)
    services = fields.List(fields.Nested(ServiceSettingsSchema), dump_only=True)
    counters = fields.List(fields.Nested(CounterSettingsSchema), dump_only=True)


@blp.route("/sites/<id:site_id>/settings")
@blp.response(200, SiteSettingsSchema)
@secured(blp)
def settings(site_id: int) -> Any:
    """The site's services (target, open) and counters (services), for its managers."""
    with luot().read() as session:
        return site_settings.site_settings(session, staff_principal(), site_id)


@blp.route("/services/<id:service_id>", methods=["PATCH"])
@blp.arguments(ServiceSettingsSchema)
@blp.response(200, ServiceSettingsSchema)
@error(blp, 404, "No such service")
@error(blp, 422, "A target out of 1–600 minutes")
@secured(blp)
def update_service(data: dict[str, Any], service_id: int) -> Any:
    """Change a service's target wait (minutes) and whether it takes tickets (managers of its site)."""
    extension = luot()
    return site_settings.update_service(
        site_settings.UpdateService(
            actor=staff_principal(),
            service_id=service_id,
            target_wait_minutes=data["target_wait_minutes"],
            is_open=data["is_open"],
            at=extension.now(),
        ),
        extension.uow(),
    )


@blp.route("/counters/<id:counter_id>/services", methods=["PUT"])
@blp.arguments(CounterSettingsSchema)
@blp.response(200, CounterSettingsSchema)
@error(blp, 404, "No such counter")
@error(blp, 422, "No service, a service twice, or a service of another site")
@secured(blp)
def counter_services(data: dict[str, Any], counter_id: int) -> Any:
    """Set the services a counter serves, in its order of preference (managers of its site)."""
    extension = luot()
    return site_settings.set_counter_services(
        site_settings.SetCounterServices(
            actor=staff_principal(),
            counter_id=counter_id,
            service_ids=tuple(data["service_ids"]),
            at=extension.now(),
        ),
        extension.uow(),
    )
