"""Every text of the manager's dashboard (``/manage``) and its printable daily report, as gettext message
ids (English) under the keys its script uses."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from server.web.i18n import SIGN_IN

STRINGS: dict[str, Any] = {
    **SIGN_IN,
    "page.title": _l("Manager dashboard"),
    "report.title": _l("Daily report"),
    "signin.title": _l("Sign in to the manager dashboard"),
    "signin.not_manager": _l(
        "This page is for managers. Your account serves at counters: use the staff page."
    ),
    "tab.live": _l("Now"),
    "tab.history": _l("History"),
    "tab.settings": _l("Settings"),
    "settings.services": _l("Services"),
    "settings.counters": _l("Counters and the services they serve"),
    "settings.notices": _l("Notices on the wall displays"),
    "settings.notices_hint": _l("One notice a line; an empty box removes them all."),
    "settings.target": _l("Target wait (minutes)"),
    "settings.taking": _l("Taking tickets"),
    "settings.save": _l("Save"),
    "settings.saved": _l("Saved."),
    "settings.file_note": _l(
        "Loading the site-configuration file again sets these back to the file's values."
    ),
    "forbidden": _l("You may not see the figures of this intake point."),
    # the live view
    "sync.connected": _l("Site box connected"),
    "sync.behind": _l("Site box: behind by %(count)s records"),
    "sync.last_seen": _l("Site box last seen at %(time)s"),
    "live.waiting": _l("Waiting"),
    "live.longest": _l("Longest wait"),
    "live.estimated": _l("Estimated wait"),
    "live.target": _l("Target"),
    "live.service": _l("Service"),
    "live.counters": _l("Counters"),
    "live.over_target": _l("%(service)s: the longest wait (%(time)s) is past the target of %(target)s."),
    "live.all_fine": _l("Every wait is within its target."),
    "live.today": _l("Today"),
    "live.nobody": _l("nobody"),
    "counter.open": _l("Open"),
    "counter.paused": _l("Paused"),
    "counter.closed": _l("Closed"),
    "counter.serving": _l("Serving %(number)s"),
    "counter.called": _l("Called %(number)s"),
    "counter.free": _l("Free"),
    # figures
    "kpi.issued": _l("Issued"),
    "kpi.served": _l("Served"),
    "kpi.no_show": _l("No-shows"),
    "kpi.cancelled": _l("Cancelled"),
    "kpi.expired": _l("Expired (day closed)"),
    "kpi.wait_avg": _l("Average wait"),
    "kpi.wait_p50": _l("Median wait"),
    "kpi.wait_p90": _l("9 in 10 waited at most"),
    "kpi.wait_max": _l("Longest wait"),
    "kpi.service_avg": _l("Average service"),
    "kpi.service_p90": _l("9 in 10 were served within"),
    "kpi.within_target": _l("Served within target"),
    "kpi.appointments": _l("Appointments: %(kept)s kept, %(late)s late, %(missed)s missed"),
    # history
    "history.scope": _l("Intake point"),
    "history.commune": _l("All of %(name)s"),
    "history.period": _l("Period"),
    "history.day": _l("Day"),
    "history.week": _l("Week"),
    "history.month": _l("Month"),
    "history.date": _l("Date"),
    "history.show": _l("Show"),
    "history.csv": _l("Figures (CSV)"),
    "history.log": _l("Ticket log (CSV)"),
    "history.print": _l("Daily report to print"),
    "history.range": _l("%(from)s to %(to)s"),
    "chart.by_hour": _l("Arrivals and served by hour"),
    "chart.arrivals": _l("Arrivals"),
    "chart.served": _l("Served"),
    "chart.waits": _l("How long people waited"),
    "chart.tickets": _l("Tickets"),
    "chart.minutes": _l("%(from)s–%(to)s min"),
    "chart.over": _l("%(from)s+ min"),
    "chart.by_service": _l("By service"),
    "chart.wait_avg_min": _l("Average wait (min)"),
    "table.counter": _l("Counter"),
    "table.clerk": _l("Clerk"),
    "table.served": _l("Served"),
    "table.service_avg": _l("Average service"),
    "table.service": _l("Service"),
    "table.issued": _l("Issued"),
    "table.wait_avg": _l("Average wait"),
    "table.within": _l("Within target"),
    "report.generated": _l("Printed %(time)s"),
    "report.print": _l("Print"),
    "empty": _l("No tickets in this period."),
}
