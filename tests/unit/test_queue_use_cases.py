"""The queue's use cases (issue, call next, transfer, no-show, check-in) against a fake unit of work:
what each one changes, records and announces, with no database and no app (tests/fakes.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from server.db.models import Appointment, Commune, Counter, CounterService, Device, Service, Site
from server.domain.access import DeviceKind, Principal, Role, device, staff
from server.domain.appointments import AppointmentStatus
from server.domain.errors import Conflict, Forbidden, LimitReached
from server.domain.events import PrintJobQueued, QueueChanged, TicketCalled, TicketChanged, TicketIssued
from server.domain.tickets import Action, Priority
from server.services.appointments.booking import CheckIn, check_in
from server.services.queue.state import QueueState
from server.services.queue.tickets import (
    CallNext,
    IssueTicket,
    TicketCommand,
    act_on_ticket,
    call_next,
    issue_ticket,
)
from tests.fakes import FakeStore, FakeUnitOfWork

NINE = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


@dataclass
class Centre:
    """A commune's intake point in a fake store: two services, two counters, a kiosk with a printer."""

    store: FakeStore
    site: Site
    civil: Service  # HT, numbers A001…
    certify: Service  # CT, numbers B001…
    q1: Counter  # serves HT then CT
    q2: Counter  # serves CT only
    kiosk: Principal
    clerk: Principal

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def issue(self, service: Service | None = None, at: datetime = NINE, **fields: object) -> int:
        issued = issue_ticket(
            IssueTicket(
                actor=self.kiosk, site_id=self.site.id, service_id=(service or self.civil).id, at=at, **fields
            ),  # type: ignore[arg-type]
            self.uow(),
        )
        return issued.ticket.id

    def call_next(self, counter: Counter, at: datetime, request_id: str | None = None) -> int | None:
        cmd = CallNext(actor=self.clerk, counter_id=counter.id, at=at, request_id=request_id)
        info = call_next(cmd, self.uow())
        return info.id if info is not None else None

    def act(self, ticket_id: int, action: Action, at: datetime, **fields: object) -> None:
        cmd = TicketCommand(actor=self.clerk, ticket_id=ticket_id, action=action, at=at, **fields)  # type: ignore[arg-type]
        act_on_ticket(cmd, self.uow())


@pytest.fixture
def centre() -> Centre:
    store = FakeStore()
    commune = Commune(id=store.next_id(), code="11914", name="Đặc khu Cát Hải", province="Hải Phòng")
    site = Site(
        id=store.next_id(),
        commune_id=commune.id,
        code="CB",
        name="Cát Bà",
        name_en="",
        address="",
        timezone="Asia/Ho_Chi_Minh",
        hours={},
        closed_dates=[],
        always_open=True,
        default_printer=None,
        ticket_footer="",
        priority_streak=2,
        appointment_due_minutes=10,
        person_ticket_limit=2,
        booking={},
        event_seq=0,
    )
    site.commune = commune
    store.communes[commune.id] = commune
    store.sites[site.id] = site

    def service(code: str, prefix: str, position: int) -> Service:
        made = Service(
            id=store.next_id(),
            site_id=site.id,
            code=code,
            name=code,
            name_en=code,
            field="",
            prefix=prefix,
            start=1,
            digits=3,
            service_minutes=10,
            target_wait_minutes=20,
            appointments=True,
            is_open=True,
            position=position,
        )
        store.services[made.id] = made
        return made

    civil, certify = service("HT", "A", 0), service("CT", "B", 1)

    def counter(number: int, *services: Service) -> Counter:
        made = Counter(
            id=store.next_id(),
            site_id=site.id,
            code=f"Q{number}",
            number=number,
            name=f"Quầy {number}",
            status="open",
            clerk_id=None,
            current_ticket_id=None,
            links=[CounterService(service_id=s.id, position=i) for i, s in enumerate(services)],
        )
        made.clerk = None
        store.counters[made.id] = made
        return made

    q1, q2 = counter(1, civil, certify), counter(2, certify)
    kiosk = Device(id=store.next_id(), site_id=site.id, kind="kiosk", name="Sảnh", printer_uri="test://sảnh")
    store.devices[kiosk.id] = kiosk
    return Centre(
        store,
        site,
        civil,
        certify,
        q1,
        q2,
        device(kiosk.id, DeviceKind.KIOSK, site.id),
        staff(store.next_id(), "lan", Role.CLERK, frozenset({site.id})),
    )


# -- issuing --------------------------------------------------------------------------------------------


def test_issuing_numbers_each_service_on_its_own_and_announces_the_ticket(centre: Centre) -> None:
    first = centre.issue(centre.civil)
    second = centre.issue(centre.civil, at=NINE + timedelta(minutes=1))
    other = centre.issue(centre.certify, at=NINE + timedelta(minutes=2))

    numbers = [centre.store.tickets[t].number for t in (first, second, other)]
    assert numbers == ["A001", "A002", "B001"]
    assert centre.store.events_of(centre.store.tickets[first]) == ["issued"]
    issued = [e for e in centre.store.published if isinstance(e, TicketIssued)]
    assert [e.ticket.position for e in issued] == [1, 2, 1]
    # Each issue is one ticket.updated and one queue.changed, numbered one after the other for the site.
    kinds = [type(e) for e in centre.store.published if e.sequenced]
    assert kinds == [TicketIssued, QueueChanged] * 3
    assert [e.seq for e in centre.store.published if e.sequenced] == [1, 2, 3, 4, 5, 6]


def test_a_kiosk_ticket_queues_its_printing_for_the_spooler_without_a_place_in_the_site_stream(
    centre: Centre,
) -> None:
    ticket_id = centre.issue()

    (queued,) = [e for e in centre.store.published if isinstance(e, PrintJobQueued)]
    assert (queued.job.ticket_id, queued.job.printer_uri, queued.job.status) == (
        ticket_id,
        "test://sảnh",
        "queued",
    )
    assert queued.seq == 0 and not queued.sequenced
    assert centre.store.print_jobs[queued.job.id].reason == "issue"


def test_a_person_over_the_site_limit_gets_no_further_ticket(centre: Centre) -> None:
    centre.issue(phone="0912345678")
    centre.issue(centre.certify, phone="0912345678")

    uow = centre.uow()
    with pytest.raises(LimitReached) as refused:
        issue_ticket(
            IssueTicket(
                actor=centre.kiosk,
                site_id=centre.site.id,
                service_id=centre.civil.id,
                at=NINE,
                phone="0912345678",
            ),
            uow,
        )
    assert refused.value.code == "person_limit"
    assert not uow.committed
    assert len(centre.store.tickets) == 2
    assert f"person:{centre.site.id}:0912345678" in uow.locks


def test_a_kiosk_retry_with_the_same_request_id_gets_the_same_ticket_and_no_new_number(
    centre: Centre,
) -> None:
    first = centre.issue(request_id="kiosk-1")
    again = centre.issue(request_id="kiosk-1")

    assert again == first
    assert len(centre.store.tickets) == 1
    assert centre.store.sequences == {(centre.site.id, centre.civil.id, NINE.date()): 1}


# -- calling ------------------------------------------------------------------------------------------


def test_call_next_takes_the_priority_ticket_first_and_claims_the_counter(centre: Centre) -> None:
    regular = centre.issue(at=NINE)
    elderly = centre.issue(at=NINE + timedelta(minutes=5), priority=Priority.ELDERLY)

    called = centre.call_next(centre.q1, NINE + timedelta(minutes=6))

    assert called == elderly
    ticket = centre.store.tickets[elderly]
    assert (ticket.status, ticket.counter_id, ticket.call_rule) == ("called", centre.q1.id, "priority")
    assert ticket.wait_s == 60
    assert centre.q1.current_ticket_id == elderly
    assert centre.store.tickets[regular].status == "waiting"
    (call,) = [e for e in centre.store.published if isinstance(e, TicketCalled)]
    assert (call.ticket.number, call.counter.number, call.recall) == ("A002", 1, False)


def test_a_counter_busy_with_a_ticket_cannot_call_another(centre: Centre) -> None:
    centre.issue()
    centre.issue(at=NINE + timedelta(minutes=1))
    centre.call_next(centre.q1, NINE + timedelta(minutes=2))

    with pytest.raises(Conflict) as refused:
        centre.call_next(centre.q1, NINE + timedelta(minutes=3))
    assert refused.value.code == "counter_busy"


def test_call_next_with_nobody_waiting_keeps_the_request_id_so_a_retry_calls_no_newcomer(
    centre: Centre,
) -> None:
    assert centre.call_next(centre.q2, NINE, request_id="tablet-7") is None
    centre.issue(centre.certify, at=NINE + timedelta(seconds=5))

    assert centre.call_next(centre.q2, NINE + timedelta(seconds=6), request_id="tablet-7") is None
    assert all(t.status == "waiting" for t in centre.store.tickets.values())


def test_a_counter_only_calls_the_services_it_serves(centre: Centre) -> None:
    centre.issue(centre.civil, at=NINE)
    assert centre.call_next(centre.q2, NINE + timedelta(minutes=1)) is None


def test_staff_of_another_site_cannot_call(centre: Centre) -> None:
    stranger = staff(99, "khách", Role.CLERK, frozenset({centre.site.id + 1000}))
    with pytest.raises(Forbidden):
        call_next(CallNext(actor=stranger, counter_id=centre.q1.id, at=NINE), centre.uow())


# -- serving ------------------------------------------------------------------------------------------


def test_a_transfer_keeps_the_number_and_the_place_of_the_original_issue_time(centre: Centre) -> None:
    early = centre.issue(centre.civil, at=NINE)
    later = centre.issue(centre.certify, at=NINE + timedelta(minutes=10))
    centre.call_next(centre.q1, NINE + timedelta(minutes=11))
    centre.act(early, Action.START, NINE + timedelta(minutes=12))

    centre.act(
        early, Action.TRANSFER, NINE + timedelta(minutes=20), service_id=centre.certify.id, reason="hồ sơ đất"
    )

    moved = centre.store.tickets[early]
    assert (moved.number, moved.status, moved.service_id, moved.counter_id) == (
        "A001",
        "waiting",
        centre.certify.id,
        None,
    )
    assert centre.q1.current_ticket_id is None
    # Issued at 09:00, it stands before the certification ticket issued at 09:10.
    assert centre.call_next(centre.q2, NINE + timedelta(minutes=21)) == early
    assert centre.store.tickets[later].status == "waiting"
    (transferred,) = [e for e in centre.store.ticket_events if e.kind == "transferred"]
    assert transferred.data["service_s"] == 480
    assert transferred.data["reason"] == "hồ sơ đất"


def test_a_no_show_ends_the_ticket_and_frees_the_counter(centre: Centre) -> None:
    ticket_id = centre.issue()
    centre.call_next(centre.q1, NINE + timedelta(minutes=1))

    centre.act(ticket_id, Action.NO_SHOW, NINE + timedelta(minutes=4))

    ticket = centre.store.tickets[ticket_id]
    assert (ticket.status, ticket.finished_at) == ("no_show", NINE + timedelta(minutes=4))
    assert centre.q1.current_ticket_id is None
    assert centre.store.events_of(ticket) == ["issued", "called", "no_show"]
    changed = [e for e in centre.store.published if isinstance(e, TicketChanged)]
    assert [(e.action, e.ticket.actions) for e in changed] == [("no_show", ())]


def test_a_no_show_that_frees_a_counter_while_people_wait_warns_of_an_idle_counter(centre: Centre) -> None:
    first, _second = centre.issue(), centre.issue()
    centre.call_next(centre.q1, NINE + timedelta(minutes=1))

    centre.act(first, Action.NO_SHOW, NINE + timedelta(minutes=4))

    found = QueueState.load(centre.uow(), centre.site, NINE + timedelta(minutes=4)).outlook()
    # Quầy 1 calls nobody while Hộ tịch has someone waiting; Quầy 2 is idle too, but nobody waits for it.
    assert [(w.kind, w.counter_id, w.waiting) for w in found.warnings] == [("idle_counter", centre.q1.id, 1)]
    # The one waiting has waited 4 minutes and is next: expected within the 20-minute target.
    assert (found.forecast.waiting, found.forecast.slack_s) == (1, (16 * 60,))


def test_an_illegal_action_changes_nothing(centre: Centre) -> None:
    ticket_id = centre.issue()
    uow = centre.uow()
    with pytest.raises(Conflict):
        act_on_ticket(
            TicketCommand(actor=centre.clerk, ticket_id=ticket_id, action=Action.COMPLETE, at=NINE), uow
        )
    assert centre.store.tickets[ticket_id].status == "waiting"
    assert not uow.committed


def test_a_called_ticket_carries_the_actions_a_clerk_may_take(centre: Centre) -> None:
    centre.issue()
    centre.call_next(centre.q1, NINE + timedelta(minutes=1))
    (call,) = [e for e in centre.store.published if isinstance(e, TicketCalled)]
    assert call.ticket.actions == ("recall", "start", "no_show", "cancel")


# -- appointments -------------------------------------------------------------------------------------


def book(centre: Centre, start: datetime, code: str = "K7M4Q9") -> Appointment:
    appointment = Appointment(
        id=centre.store.next_id(),
        code=code,
        site_id=centre.site.id,
        service_id=centre.civil.id,
        start=start,
        end=start + timedelta(minutes=10),
        status=AppointmentStatus.BOOKED.value,
        name="Nguyễn Văn An",
        phone="0987654321",
        citizen_id_hash=None,
        language="vi",
        created_at=start - timedelta(days=1),
    )
    appointment.site, appointment.service = centre.site, centre.civil
    centre.store.appointments[appointment.id] = appointment
    return appointment


def test_a_check_in_on_time_gives_an_appointment_ticket_called_at_its_time(centre: Centre) -> None:
    walk_in = centre.issue(at=NINE)
    appointment = book(centre, NINE + timedelta(minutes=20))

    done = check_in(
        CheckIn(actor=centre.kiosk, code="k7m4-q9", at=NINE + timedelta(minutes=15)), centre.uow()
    )

    assert not done.late
    assert done.ticket.number == "A002"  # the service's own numbering
    assert done.appointment.status == "checked_in"
    assert appointment.status == "checked_in"
    ticket = centre.store.tickets[done.ticket.id]
    assert (ticket.appointment_id, ticket.appointment_start, ticket.phone) == (
        appointment.id,
        appointment.start,
        "0987654321",
    )
    assert [e.kind for e in centre.store.appointment_events] == ["checked_in"]
    assert centre.store.events_of(ticket) == ["issued"]
    assert done.print.status == "queued"
    # Due ten minutes before its time, it is called before the walk-in who has waited longer.
    assert centre.call_next(centre.q1, NINE + timedelta(minutes=12)) == ticket.id
    assert centre.store.tickets[walk_in].status == "waiting"


def test_a_late_check_in_gives_an_ordinary_ticket(centre: Centre) -> None:
    book(centre, NINE)

    done = check_in(CheckIn(actor=centre.kiosk, code="K7M4Q9", at=NINE + timedelta(minutes=40)), centre.uow())

    assert done.late
    assert centre.store.tickets[done.ticket.id].appointment_start is None


def test_an_appointment_is_checked_in_once(centre: Centre) -> None:
    book(centre, NINE)
    check_in(CheckIn(actor=centre.kiosk, code="K7M4Q9", at=NINE), centre.uow())

    with pytest.raises(Conflict):
        check_in(CheckIn(actor=centre.kiosk, code="K7M4Q9", at=NINE + timedelta(minutes=1)), centre.uow())
    assert len(centre.store.tickets) == 1
