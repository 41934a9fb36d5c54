"""An appointment as an iCalendar file (RFC 5545), for the citizen's phone calendar.

The event carries the site's time zone (``DTSTART;TZID=Asia/Ho_Chi_Minh`` with its ``VTIMEZONE``), the
site's name and address as its location, the code to type at the kiosk, and an alarm an hour before.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from .views import AppointmentView

PRODUCT = "-//Luot//Appointments//VI"


def appointment_calendar(
    view: AppointmentView, *, manage_url: str, now: datetime, labels: Mapping[str, str], english: bool = False
) -> bytes:
    """``labels`` are the translated ``code``, ``check_in`` and ``manage`` texts of the description."""
    service = (view.service_name_en or view.service_name) if english else view.service_name
    site = (view.site_name_en or view.site_name) if english else view.site_name
    code_label, check_in, manage = labels["code"], labels["check_in"], labels["manage"]

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{view.code}@luot")
    event.add("dtstamp", now)
    event.add("dtstart", view.start)  # aware, in the site's zone: written with its TZID
    event.add("dtend", view.end)
    event.add("summary", f"{service} — {site}")
    event.add("location", ", ".join(part for part in (site, view.site_address) if part))
    event.add("description", f"{code_label}: {view.code}\n{check_in}\n{manage}: {manage_url}")
    event.add("url", manage_url)
    event.add("status", "CANCELLED" if view.status == "cancelled" else "CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{service} — {view.start:%H:%M}")
    alarm.add("trigger", timedelta(hours=-1))
    event.add_component(alarm)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data
