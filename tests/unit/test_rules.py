"""Opening hours, personal identifiers and text hygiene."""

from __future__ import annotations

from datetime import date, time

import pytest

from server.domain.errors import InvalidValue
from server.domain.hours import OpeningHours
from server.domain.identity import citizen_key, mask_phone, normalise_citizen_id, normalise_phone
from server.domain.text import clean_text

HOURS = OpeningHours.parse({"mon": ["07:30-11:30", "13:30-17:00"], "sat": ["07:30-11:30"]}, ["2026-11-30"])


@pytest.mark.parametrize(
    ("day", "moment", "is_open"),
    [
        (date(2026, 11, 23), time(7, 29), False),  # Monday, before opening
        (date(2026, 11, 23), time(7, 30), True),
        (date(2026, 11, 23), time(12, 0), False),  # lunch break
        (date(2026, 11, 23), time(16, 59), True),
        (date(2026, 11, 23), time(17, 0), False),
        (date(2026, 11, 24), time(9, 0), False),  # Tuesday: not in the file, closed
        (date(2026, 11, 28), time(9, 0), True),  # Saturday morning
        (date(2026, 11, 30), time(9, 0), False),  # a closed date (a Monday)
    ],
)
def test_opening_hours_have_breaks_weekdays_and_closed_dates(day: date, moment: time, is_open: bool) -> None:
    assert HOURS.is_open(day, moment) is is_open


def test_always_open_ignores_hours() -> None:
    assert OpeningHours.parse({}, always_open=True).is_open(date(2026, 11, 24), time(3, 0))


@pytest.mark.parametrize(
    "bad", [{"mon": ["11:30-07:30"]}, {"mon": ["7h30-11h"]}, {"monday": ["07:30-11:30"]}]
)
def test_bad_hours_are_refused_with_a_clear_error(bad: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidValue):
        OpeningHours.parse(bad)


def test_hours_round_trip_as_text() -> None:
    assert HOURS.as_text() == {"mon": ["07:30-11:30", "13:30-17:00"], "sat": ["07:30-11:30"]}
    assert (
        OpeningHours.parse({"sun": ["00:00-24:00"]}).periods_on(date(2026, 11, 29))[0].contains(time(23, 59))
    )


def test_citizen_id_from_the_chip_card_qr_text() -> None:
    qr = "001099012345|123456789|Nguyễn Văn A|01011990|Nam|Hà Nội|01012021"
    assert normalise_citizen_id(qr) == "001099012345"


def test_citizen_id_is_kept_only_as_a_keyed_hash() -> None:
    key = citizen_key(b"secret", "001099012345")
    assert "001099012345" not in key
    assert key == citizen_key(b"secret", "001 099 012 345")
    assert key != citizen_key(b"other", "001099012345")


@pytest.mark.parametrize("bad", ["12345", "00109901234X", ""])
def test_bad_citizen_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_citizen_id(bad)


@pytest.mark.parametrize("raw", ["0912345678", "+84 912 345 678", "0912.345.678", "84912345678"])
def test_phone_numbers_are_normalised(raw: str) -> None:
    assert normalise_phone(raw) == "0912345678"


def test_phone_is_masked() -> None:
    assert mask_phone("0912345678") == "091****678"


def test_text_is_nfc_and_control_characters_are_refused() -> None:
    decomposed = "Ho\u0302\u0323 ti\u0323ch"  # "Hộ tịch" typed with combining marks
    assert clean_text(decomposed, field="name", max_length=20) == "Hộ tịch"
    with pytest.raises(InvalidValue):
        clean_text("a\x00b", field="name", max_length=20)
    with pytest.raises(InvalidValue):
        clean_text("x" * 21, field="name", max_length=20)


def test_the_public_address_is_the_installers_then_the_requests_then_where_the_server_listens() -> None:
    from server.config import PublicAddress

    all_interfaces = "0.0.0.0"  # noqa: S104 - what luot serve was told, not a bind

    configured = PublicAddress("http://192.168.1.10:5000/")
    configured.listen(all_interfaces, 5000)
    assert configured.base("http://127.0.0.1:5000/") == "http://192.168.1.10:5000"
    learned = PublicAddress(None)
    assert learned.base() == "http://localhost:5000"
    learned.listen("10.0.0.7", 8080)
    assert learned.base() == "http://10.0.0.7:8080"
    assert learned.base("http://kiosk.lan:8080/") == "http://kiosk.lan:8080"
    everywhere = PublicAddress(None)
    everywhere.listen(all_interfaces, 5000)
    assert not everywhere.base().startswith("http://0.0.0.0")


@pytest.mark.parametrize(
    "raw",
    [
        "０７９１９０００１２３４",  # full-width, as an IME types it
        "079 190 001 234",
        "079\u3000190\u3000001\u3000234",  # ideographic spaces
        "079-190-001-234",
        "079.190.001.234",
        "\u0660\u0667\u0669\u0661\u0669\u0660\u0660\u0660\u0661\u0662\u0663\u0664",  # Arabic-Indic digits
        "０７９１９０００１２３４|123456789|Nguyễn Văn A|01011990|Nam|Hà Nội|01012021",
    ],
)
def test_a_citizen_id_is_the_same_person_however_it_is_typed(raw: str) -> None:
    assert normalise_citizen_id(raw) == "079190001234"
    assert citizen_key(b"secret", raw) == citizen_key(b"secret", "079190001234")


@pytest.mark.parametrize("bad", ["07919000123４5", "0791900012३", "+079190001234", "079190001234x"])
def test_a_citizen_id_with_other_characters_or_digits_too_many_is_refused(bad: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_citizen_id(bad)


@pytest.mark.parametrize(
    "raw",
    [
        "０９１２３４５６７８",
        "＋８４ ９１２ ３４５ ６７８",
        "+84 912 345 678",
        "(+84) 912-345-678",
        "0084 912 345 678",
        "+84 0912 345 678",
        "84 912 345 678",
        "０９１２－３４５－６７８",
    ],
)
def test_a_phone_number_is_the_same_however_it_is_typed(raw: str) -> None:
    assert normalise_phone(raw) == "0912345678"


@pytest.mark.parametrize(
    "bad", ["+1 912 345 678", "+849123456789", "0912+345678", "09123456７８9", "912345678", "+"]
)
def test_foreign_or_malformed_phone_numbers_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_phone(bad)
