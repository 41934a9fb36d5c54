"""The call-next policy, one test per rule of docs/queue-policy.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain.policy import CallingCounter, Candidate, PolicySettings, Rule, order, pick, priority_streak
from server.domain.tickets import Priority

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
SETTINGS = PolicySettings(appointment_due_before=timedelta(minutes=10), priority_streak=2)
HT, CT, DD = 1, 2, 3


def ticket(
    ticket_id: int,
    service: int = HT,
    minutes_ago: float = 0,
    priority: Priority = Priority.NONE,
    appointment_in: float | None = None,
) -> Candidate:
    return Candidate(
        ticket_id=ticket_id,
        service_id=service,
        priority=priority,
        waiting_since=NOW - timedelta(minutes=minutes_ago),
        appointment_start=NOW + timedelta(minutes=appointment_in) if appointment_in is not None else None,
    )


def counter(*services: int, streak: int = 0, targets: dict[int, int] | None = None) -> CallingCounter:
    return CallingCounter(
        service_ids=list(services),
        priority_streak=streak,
        target_waits={s: timedelta(minutes=m) for s, m in (targets or {}).items()},
    )


def test_counter_only_gets_tickets_of_the_services_it_serves() -> None:
    land = ticket(1, service=DD, minutes_ago=60)
    civil = ticket(2, service=HT, minutes_ago=1)
    chosen = pick([land, civil], counter(HT, CT), NOW, SETTINGS)
    assert chosen is not None and chosen.candidate == civil


def test_counter_with_no_ticket_of_its_services_gets_nothing() -> None:
    assert pick([ticket(1, service=DD)], counter(HT), NOW, SETTINGS) is None


def test_due_appointment_is_called_before_priority_and_older_walk_ins() -> None:
    old_walk_in = ticket(1, minutes_ago=50)
    elderly = ticket(2, minutes_ago=40, priority=Priority.ELDERLY)
    appointment = ticket(3, minutes_ago=2, appointment_in=5)  # due: within the 10-minute window
    chosen = pick([old_walk_in, elderly, appointment], counter(HT), NOW, SETTINGS)
    assert chosen == _pick(appointment, Rule.APPOINTMENT)


def test_earliest_due_appointment_goes_first() -> None:
    later = ticket(1, appointment_in=5, minutes_ago=20)
    earlier = ticket(2, appointment_in=-5, minutes_ago=1)
    assert pick([later, earlier], counter(HT), NOW, SETTINGS) == _pick(earlier, Rule.APPOINTMENT)


def test_appointment_checked_in_early_waits_for_its_time() -> None:
    walk_in = ticket(1, minutes_ago=1)
    early = ticket(2, minutes_ago=30, appointment_in=45)
    assert pick([walk_in, early], counter(HT), NOW, SETTINGS) == _pick(walk_in, Rule.LONGEST_WAIT)


def test_early_appointment_is_called_when_nobody_else_waits() -> None:
    early = ticket(2, appointment_in=45)
    assert pick([early], counter(HT), NOW, SETTINGS) == _pick(early, Rule.EARLY_APPOINTMENT)


def test_priority_ticket_is_called_before_older_regular_ticket() -> None:
    regular = ticket(1, minutes_ago=30)
    pregnant = ticket(2, minutes_ago=1, priority=Priority.PREGNANT)
    assert pick([regular, pregnant], counter(HT), NOW, SETTINGS) == _pick(pregnant, Rule.PRIORITY)


def test_after_a_streak_of_priority_calls_an_overdue_regular_ticket_goes_next() -> None:
    regular = ticket(1, minutes_ago=25)  # past the 20-minute target
    disabled = ticket(2, minutes_ago=5, priority=Priority.DISABLED)
    chosen = pick([regular, disabled], counter(HT, streak=2, targets={HT: 20}), NOW, SETTINGS)
    assert chosen == _pick(regular, Rule.INTERLEAVE)


def test_streak_does_not_let_a_regular_ticket_within_its_target_jump_priority() -> None:
    regular = ticket(1, minutes_ago=10)  # within the 20-minute target
    merit = ticket(2, minutes_ago=5, priority=Priority.MERIT)
    chosen = pick([regular, merit], counter(HT, streak=2, targets={HT: 20}), NOW, SETTINGS)
    assert chosen == _pick(merit, Rule.PRIORITY)


def test_before_the_streak_limit_priority_still_goes_first() -> None:
    regular = ticket(1, minutes_ago=60)
    infant = ticket(2, minutes_ago=1, priority=Priority.INFANT)
    chosen = pick([regular, infant], counter(HT, streak=1, targets={HT: 20}), NOW, SETTINGS)
    assert chosen == _pick(infant, Rule.PRIORITY)


def test_longest_waiting_ticket_across_services_goes_first() -> None:
    civil = ticket(1, service=HT, minutes_ago=5)
    certification = ticket(2, service=CT, minutes_ago=9)
    assert pick([civil, certification], counter(HT, CT), NOW, SETTINGS) == _pick(
        certification, Rule.LONGEST_WAIT
    )


def test_counter_service_order_breaks_ties() -> None:
    civil = ticket(1, service=HT, minutes_ago=5)
    certification = ticket(2, service=CT, minutes_ago=5)
    assert pick([civil, certification], counter(CT, HT), NOW, SETTINGS).candidate == certification  # type: ignore[union-attr]
    assert pick([civil, certification], counter(HT, CT), NOW, SETTINGS).candidate == civil  # type: ignore[union-attr]


def test_order_interleaves_a_long_stream_of_priority_tickets() -> None:
    regulars = [ticket(i, minutes_ago=40 - i) for i in range(1, 3)]
    priorities = [ticket(10 + i, minutes_ago=10 - i, priority=Priority.ELDERLY) for i in range(5)]
    picks = order(regulars + priorities, counter(HT, targets={HT: 20}), NOW, SETTINGS)
    assert [p.rule for p in picks] == [
        Rule.PRIORITY,
        Rule.PRIORITY,
        Rule.INTERLEAVE,
        Rule.PRIORITY,
        Rule.PRIORITY,
        Rule.INTERLEAVE,
        Rule.PRIORITY,
    ]
    assert sorted(p.candidate.ticket_id for p in picks) == sorted(c.ticket_id for c in regulars + priorities)


def test_priority_streak_counts_the_newest_run_of_priority_calls() -> None:
    assert priority_streak([True, True, False, True]) == 2
    assert priority_streak([False, True]) == 0
    assert priority_streak([]) == 0


def _pick(candidate: Candidate, rule: Rule) -> object:
    from server.domain.policy import Pick

    return Pick(candidate, rule)


def test_order_is_what_successive_picks_would_give_on_random_queues() -> None:
    import random

    generator = random.Random(20261123)
    priorities = list(Priority)
    for _ in range(300):
        candidates = [
            ticket(
                i,
                service=generator.choice([HT, CT, DD]),
                minutes_ago=generator.randint(0, 90),
                priority=generator.choice(priorities) if generator.random() < 0.3 else Priority.NONE,
                appointment_in=generator.choice([None, None, None, -20, 0, 5, 30]),
            )
            for i in range(generator.randint(0, 25))
        ]
        calling = counter(
            *generator.sample([HT, CT, DD], generator.randint(1, 3)),
            streak=generator.randint(0, 3),
            targets={HT: 20, CT: 15, DD: 30},
        )
        settings = PolicySettings(timedelta(minutes=10), priority_streak=generator.randint(0, 3))
        expected, remaining, streak = [], list(candidates), calling.priority_streak
        while chosen := pick(
            remaining, CallingCounter(calling.service_ids, streak, calling.target_waits), NOW, settings
        ):
            expected.append(chosen)
            remaining.remove(chosen.candidate)
            streak = streak + 1 if chosen.rule is Rule.PRIORITY else 0
        assert order(candidates, calling, NOW, settings) == expected


def test_who_is_ahead_of_a_regular_ticket_is_who_the_order_puts_before_it_on_random_queues() -> None:
    import random

    from server.domain.policy import ahead_of

    generator = random.Random(20261203)
    priorities = list(Priority)
    counted = 0
    for _ in range(300):
        candidates = [
            ticket(
                i,
                minutes_ago=generator.choice([0, 0, 5, 10, generator.randint(0, 90)]),  # ties are common
                priority=generator.choice(priorities) if generator.random() < 0.3 else Priority.NONE,
                appointment_in=generator.choice([None, None, None, -20, 0, 5, 30]),
            )
            for i in range(generator.randint(1, 25))
        ]
        calling = counter(HT, targets={HT: generator.choice([0, 20, 60])})
        settings = PolicySettings(timedelta(minutes=10), priority_streak=generator.randint(0, 3))
        line = [p.candidate for p in order(candidates, calling, NOW, settings)]
        for candidate in candidates:
            ahead = ahead_of(candidate, calling, NOW, settings)
            if ahead is None:
                assert (
                    candidate.appointment_start is not None
                    or candidate.is_priority
                    or (NOW - candidate.waiting_since > calling.target_waits[HT])
                )
                continue
            counted += 1
            assert {c.ticket_id for c in candidates if ahead.includes(c)} == {
                c.ticket_id for c in line[: line.index(candidate)]
            }
    assert counted > 500  # many regular tickets were answerable by counting
