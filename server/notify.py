"""Notifiers: how a reminder in the outbox reaches the citizen. One registry, chosen by ``LUOT_NOTIFIER``.

- ``log`` (default) — nothing leaves the server: the reminder stays in the outbox and a line (phone
  masked) goes to the log. A centre with no internet runs like this.
- ``sms`` — an SMS gateway over HTTP: ``POST LUOT_SMS_URL`` with JSON
  ``{"to": "0912345678", "text": "...", "sender": LUOT_SMS_SENDER, "reference": "luot-42"}`` and
  ``Authorization: Bearer LUOT_SMS_TOKEN`` when set; any 2xx answer counts as sent.
- ``smtp`` — e-mail through ``LUOT_SMTP_HOST``:``LUOT_SMTP_PORT`` (``LUOT_SMTP_TLS`` = ``none``,
  ``starttls`` or ``ssl``; ``LUOT_SMTP_USER``/``LUOT_SMTP_PASSWORD``; from ``LUOT_SMTP_FROM``), to the
  address given when booking (bookings without one are skipped).

- ``zns`` — Zalo Notification Service template messages (near-turn and called messages only): ``POST
  LUOT_ZNS_URL`` (default ``https://business.openapi.zalo.me/message/template``) with the header
  ``access_token: LUOT_ZNS_ACCESS_TOKEN`` and Zalo's body ``{"phone": "84912345678", "template_id",
  "template_data": {...}, "tracking_id"}``; templates ``LUOT_ZNS_TEMPLATE_NEAR`` and
  ``LUOT_ZNS_TEMPLATE_CALLED``. Zalo answers ``{"error": 0, …}`` when it took the message.

The tickets' near-turn and called messages go through a chain of these per site (``notify_channels`` in
the site-configuration file, e.g. ``[zns, sms]``; default: ``LUOT_NOTIFIER``, then SMS when
``LUOT_NOTIFIER=zns`` and ``LUOT_SMS_URL`` is set): :func:`turn_notifiers` and :func:`default_chain`.

Each setting is read from the app's configuration first (tests), then from the environment.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import Flask
from flask_babel import force_locale, gettext

from .domain.identity import mask_phone
from .domain.near_turn import CALLED_TEXT, NEAR_TEXT, MessageKind, fit_sms, unaccent
from .services.appointments.reminders import NotDeliverable, Notifier, Outgoing
from .services.near_turn.delivery import TurnMessage, TurnNotifier

log = logging.getLogger("luot.notify")

TIMEOUT_S = 10


def setting(config: Mapping[str, Any], name: str, default: str = "") -> str:
    value = config.get(name)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def compose(app: Flask, message: Outgoing) -> Text:
    """The reminder in the citizen's language (Vietnamese unless they booked in English)."""
    english = message.language == "en"
    values = {
        "name": message.name,
        "service": (message.service_name_en or message.service_name) if english else message.service_name,
        "site": (message.site_name_en or message.site_name) if english else message.site_name,
        "address": message.site_address,
        "time": message.start.strftime("%H:%M"),
        "date": message.start.strftime("%d/%m/%Y"),
        "code": message.code,
    }
    with app.app_context(), force_locale("en" if english else "vi"):
        subject = gettext("Reminder: %(service)s at %(time)s on %(date)s", **values)
        body = gettext(
            "%(name)s, your appointment for %(service)s is at %(time)s on %(date)s at %(site)s "
            "(%(address)s). Code: %(code)s. Type it at the kiosk when you arrive to get your number.",
            **values,
        )
    return Text(subject, body)


def compose_turn(app: Flask, message: TurnMessage) -> str:
    """A near-turn or called text in the ticket's language, fitted to one SMS segment."""
    english = message.language == "en"
    template = CALLED_TEXT if message.kind == MessageKind.CALLED else NEAR_TEXT
    with app.app_context(), force_locale("en" if english else "vi"):
        translated = gettext(template)
    site = (message.site_name_en or unaccent(message.site_name)) if english else message.site_name
    values = {"number": message.number, "counter": message.counter_number or ""}
    return fit_sms(translated, values, site=site, unaccented=english or message.sms_unaccented)


def post_json(url: str, payload: Mapping[str, Any], headers: Mapping[str, str]) -> Any:
    """POST JSON and return the decoded answer; an answer other than 2xx raises with its status and body."""
    request = urllib.request.Request(  # noqa: S310 - callers check the scheme
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            body = response.read(4096)
            if not 200 <= response.status < 300:
                raise OSError(f"answered {response.status}: {body[:200].decode(errors='replace')}")
    except urllib.error.HTTPError as exc:
        answer = exc.read(400).decode(errors="replace")
        raise OSError(f"answered {exc.code}: {answer[:200]}") from exc
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


class LogNotifier:
    """Keeps reminders in the outbox and logs them (the phone number masked): nothing leaves the server."""

    channel = "log"

    def __init__(self, app: Flask) -> None:
        self.app = app

    def send(self, message: Outgoing) -> None:
        text = compose(self.app, message)
        log.info("reminder %s to %s: %s", message.kind, mask_phone(message.phone), text.subject)

    def send_turn(self, message: TurnMessage) -> None:
        log.info(
            "%s to %s: %s", message.reference, mask_phone(message.phone), compose_turn(self.app, message)
        )


class HttpSmsNotifier:
    """An SMS gateway reached over HTTP (most Vietnamese SMS brandname providers offer one)."""

    channel = "sms"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.url = setting(app.config, "LUOT_SMS_URL")
        self.token = setting(app.config, "LUOT_SMS_TOKEN")
        self.sender = setting(app.config, "LUOT_SMS_SENDER")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("LUOT_SMS_URL must be an http:// or https:// address")

    def send(self, message: Outgoing) -> None:
        text = compose(self.app, message)
        payload = {"to": message.phone, "text": text.body, "reference": f"luot-{message.notification_id}"}
        if self.sender:
            payload["sender"] = self.sender
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise OSError(f"the SMS gateway answered {response.status}")

    def send_turn(self, message: TurnMessage) -> None:
        text = compose_turn(self.app, message)
        payload = {"to": message.phone, "text": text, "reference": message.reference}
        if self.sender:
            payload["sender"] = self.sender
        post_json(self.url, payload, {"Authorization": f"Bearer {self.token}"} if self.token else {})


ZNS_URL = "https://business.openapi.zalo.me/message/template"


def international(phone: str) -> str:
    """``0912345678`` → ``84912345678`` (the form Zalo expects)."""
    return "84" + phone[1:] if phone.startswith("0") else phone


class ZnsNotifier:
    """Zalo Notification Service: a template message, registered with Zalo, to the phone's Zalo account."""

    channel = "zns"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.url = setting(app.config, "LUOT_ZNS_URL", ZNS_URL)
        self.token = setting(app.config, "LUOT_ZNS_ACCESS_TOKEN")
        self.templates = {
            MessageKind.NEAR.value: setting(app.config, "LUOT_ZNS_TEMPLATE_NEAR"),
            MessageKind.CALLED.value: setting(app.config, "LUOT_ZNS_TEMPLATE_CALLED"),
        }
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("LUOT_ZNS_URL must be an http:// or https:// address")
        if not self.token:
            raise ValueError("LUOT_ZNS_ACCESS_TOKEN is needed for Zalo ZNS")

    def send(self, message: Outgoing) -> None:
        raise NotDeliverable("appointment reminders have no ZNS template")

    def send_turn(self, message: TurnMessage) -> None:
        template_id = self.templates.get(message.kind)
        if not template_id:
            raise NotDeliverable(f"no ZNS template for {message.kind} messages")
        english = message.language == "en"
        data: dict[str, Any] = {
            "number": message.number,
            "site": (message.site_name_en or unaccent(message.site_name)) if english else message.site_name,
        }
        if message.kind == MessageKind.CALLED:
            data["counter"] = str(message.counter_number or "")
        payload = {
            "phone": international(message.phone),
            "template_id": template_id,
            "template_data": data,
            "tracking_id": message.reference,
        }
        answer = post_json(self.url, payload, {"access_token": self.token})
        error = answer.get("error") if isinstance(answer, dict) else None
        if error != 0:
            detail = answer.get("message") if isinstance(answer, dict) else answer
            raise OSError(f"Zalo answered error {error}: {detail}")


class SmtpNotifier:
    """E-mail through the centre's mail server."""

    channel = "email"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.host = setting(app.config, "LUOT_SMTP_HOST", "localhost")
        self.port = int(setting(app.config, "LUOT_SMTP_PORT", "25"))
        self.tls = setting(app.config, "LUOT_SMTP_TLS", "none").lower()
        self.user = setting(app.config, "LUOT_SMTP_USER")
        self.password = setting(app.config, "LUOT_SMTP_PASSWORD")
        self.sender = setting(app.config, "LUOT_SMTP_FROM", "luot@localhost")

    def send(self, message: Outgoing) -> None:
        if not message.email:
            raise NotDeliverable("no e-mail address was given")
        text = compose(self.app, message)
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.email
        mail["Subject"] = text.subject
        mail.set_content(text.body)
        if self.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT_S, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
        with smtp:
            if self.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(mail)


NOTIFIERS: dict[str, Callable[[Flask], Notifier]] = {
    "log": LogNotifier,
    "sms": HttpSmsNotifier,
    "smtp": SmtpNotifier,
    "zns": ZnsNotifier,
}


def notifier_for(app: Flask) -> Notifier:
    name = setting(app.config, "LUOT_NOTIFIER", "log").lower()
    if name not in NOTIFIERS:
        raise ValueError(f"LUOT_NOTIFIER must be one of {', '.join(NOTIFIERS)}, not {name!r}")
    return NOTIFIERS[name](app)


def turn_notifiers(app: Flask) -> dict[str, TurnNotifier]:
    """The channels this installation can send near-turn messages through (those it has settings for)."""
    notifiers: dict[str, TurnNotifier] = {"log": LogNotifier(app)}
    if setting(app.config, "LUOT_SMS_URL"):
        notifiers["sms"] = HttpSmsNotifier(app)
    if setting(app.config, "LUOT_ZNS_ACCESS_TOKEN"):
        notifiers["zns"] = ZnsNotifier(app)
    return notifiers


def default_chain(app: Flask) -> tuple[str, ...]:
    """The channels tried for a site that names none: ``LUOT_NOTIFIER`` (ZNS falls back to SMS)."""
    name = setting(app.config, "LUOT_NOTIFIER", "log").lower()
    if name == "zns":
        return ("zns", "sms") if setting(app.config, "LUOT_SMS_URL") else ("zns",)
    if name == "sms":
        return ("sms",)
    return ("log",)
