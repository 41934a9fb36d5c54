"""What wall displays read besides the snapshot: notices (live), their own settings, and each call's audio."""

from __future__ import annotations

import copy
import io
import json
import unicodedata
import wave
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.domain.announcement import CLIPS, PAUSE, call_words
from server.services.display import configure_display
from server.voice import RATE, Voice, normalise, read_wav, trim, write_wav
from tests.conftest import TEST_CONFIG, World

CLIPS_DIR = Path(__file__).resolve().parents[2] / "server" / "voice" / "clips"


def notices_url(world: World, site: str = "CB") -> str:
    return f"/api/v1/sites/{world.site(site)['id']}/notices"


# -- notices -----------------------------------------------------------------------------------------


def test_managers_replace_the_notices_and_the_site_s_devices_and_staff_read_them(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    world = World(make_app(database_url))
    manager, clerk = world.staff("manager"), world.staff("clerk")
    decomposed = unicodedata.normalize("NFD", "Chiều thứ Sáu Trung tâm làm việc đến 16:00")
    body = {
        "notices": [
            {"text": decomposed},
            {
                "text": "Nghỉ Tết Dương lịch 01/01/2027",
                "starts_at": "2026-12-28T07:00:00+07:00",
                "ends_at": "2027-01-02T00:00:00+07:00",
            },
        ]
    }
    replaced = world.client.put(notices_url(world), json=body, headers=manager)
    assert replaced.status_code == 200, replaced.json
    assert [n["text"] for n in replaced.json] == [
        "Chiều thứ Sáu Trung tâm làm việc đến 16:00",  # stored NFC
        "Nghỉ Tết Dương lịch 01/01/2027",
    ]
    assert unicodedata.is_normalized("NFC", replaced.json[0]["text"])
    assert replaced.json[0]["starts_at"] is None and replaced.json[0]["ends_at"] is None
    assert replaced.json[1]["starts_at"] == "2026-12-28T07:00:00+07:00"

    for reader in (world.device("display"), world.device("kiosk"), clerk, manager):
        listed = world.client.get(notices_url(world), headers=reader)
        assert listed.status_code == 200
        assert listed.json == replaced.json

    emptied = world.client.put(notices_url(world), json={"notices": []}, headers=manager)
    assert emptied.status_code == 200 and emptied.json == []
    assert world.client.get(notices_url(world), headers=clerk).json == []


def test_only_managers_of_the_site_change_notices_and_only_its_people_read_them(world: World) -> None:
    body = {"notices": [{"text": "Xin chào"}]}
    assert world.client.put(notices_url(world), json=body, headers=world.staff("clerk")).status_code == 403
    assert world.client.put(notices_url(world), json=body, headers=world.device("display")).status_code == 403
    other_manager = world.staff("manager", sites=("CH",))
    assert world.client.put(notices_url(world), json=body, headers=other_manager).status_code == 403
    assert world.client.get(notices_url(world), headers=world.device("display", site="CH")).status_code == 403
    assert world.client.get(notices_url(world)).status_code == 401
    assert (
        world.client.put(notices_url(world), json=body, headers=world.staff("admin", sites=())).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("notice", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 301}, "text"),
        ({"text": "Giờ\u0007"}, "text"),
        (
            {
                "text": "Ngược",
                "starts_at": "2026-12-02T08:00:00+07:00",
                "ends_at": "2026-12-01T08:00:00+07:00",
            },
            None,
        ),
        ({"text": "Không có múi giờ", "starts_at": "2026-12-01T08:00:00"}, "starts_at"),
        ({"starts_at": "2026-12-01T08:00:00+07:00"}, "text"),
    ],
)
def test_notices_that_cannot_be_shown_are_refused(
    world: World, notice: dict[str, Any], field: str | None
) -> None:
    response = world.client.put(
        notices_url(world), json={"notices": [notice]}, headers=world.staff("manager")
    )
    assert response.status_code == 422, response.json
    if field is not None:
        assert field in json.dumps(response.json["error"].get("details", {}))


def test_a_site_has_a_bounded_number_of_notices(world: World) -> None:
    body = {"notices": [{"text": f"Thông báo {i}"} for i in range(21)]}
    response = world.client.put(notices_url(world), json=body, headers=world.staff("manager"))
    assert response.status_code == 422


def test_replacing_notices_tells_the_site_s_displays_with_the_next_seq(world: World, listen: Any) -> None:
    site_id = world.site("CB")["id"]
    display = listen({"token": world.device_token("display"), "site_id": site_id})
    seq = display.next("snapshot")["seq"]
    world.client.put(
        notices_url(world),
        json={"notices": [{"text": "Hôm nay làm việc đến 17:00", "ends_at": "2030-01-01T00:00:00+07:00"}]},
        headers=world.staff("manager"),
    )
    changed = display.next("notices.changed")
    assert changed["seq"] == seq + 1 and changed["site_id"] == site_id
    assert [(n["text"], n["ends_at"]) for n in changed["notices"]] == [
        ("Hôm nay làm việc đến 17:00", "2030-01-01T00:00:00+07:00")
    ]


# -- the display's own record ------------------------------------------------------------------------


def test_a_display_reads_its_own_settings_with_its_device_record(world: World) -> None:
    headers = world.device("display")
    device = world.client.get("/api/v1/device", headers=headers).json
    assert device["settings"] == {}
    configure_display(world.luot.uow(), device["id"], counters=["Q1", "Q3"], services=["HT"], sound=False)
    device = world.client.get("/api/v1/device", headers=headers).json
    assert device["settings"] == {"counters": ["Q1", "Q3"], "services": ["HT"], "sound": False}
    configure_display(world.luot.uow(), device["id"], counters=[])  # back to every counter; the rest stays
    device = world.client.get("/api/v1/device", headers=headers).json
    assert device["settings"] == {"counters": [], "services": ["HT"], "sound": False}


# -- announcements -----------------------------------------------------------------------------------


def samples_of(body: bytes) -> tuple[wave._wave_params, array]:
    with wave.open(io.BytesIO(body), "rb") as audio:
        params = audio.getparams()
        return params, array("h", audio.readframes(audio.getnframes()))


def clip(language: str, name: str, folder: Path = CLIPS_DIR) -> array:
    """A clip as the composer puts it in an announcement."""
    return normalise(trim(read_wav(folder / language / f"{name}.wav")))


def positions(audio: array, clips: list[array]) -> list[int]:
    """Where each clip occurs in ``audio``, each after the previous one; -1 when one is missing."""
    found, start, data = [], 0, audio.tobytes()
    for part in clips:
        index = data.find(part.tobytes(), start)
        while index != -1 and index % 2:  # samples are two bytes: only aligned matches count
            index = data.find(part.tobytes(), index + 1)
        found.append(index)
        if index == -1:
            return found
        start = index + len(part.tobytes())
    return found


def voiced_fraction(audio: array, start_s: float) -> float:
    """Share of 20 ms windows after ``start_s`` that carry sound (speech has short pauses between words)."""
    window = RATE // 50
    part = audio[int(start_s * RATE) :]
    loud = 0
    total = max(1, len(part) // window)
    for i in range(total):
        chunk = part[i * window : (i + 1) * window]
        if chunk and (sum(s * s for s in chunk) / len(chunk)) ** 0.5 > 500:
            loud += 1
    return loud / total


def call_ticket(world: World) -> tuple[dict[str, Any], int]:
    clerk = world.staff("clerk")
    world.issue(world.device("kiosk"))
    ticket = world.issue(world.device("kiosk"))  # A002
    counter_id = world.open_counter(clerk, counter="Q2")
    world.client.post(f"/api/v1/tickets/{ticket['id']}/call", json={"counter_id": counter_id}, headers=clerk)
    return ticket, 2


def test_the_announcement_of_a_call_is_vietnamese_speech_of_the_number_and_counter(world: World) -> None:
    ticket, counter = call_ticket(world)
    site_id = world.site("CB")["id"]
    response = world.client.get(
        f"/api/v1/sites/{site_id}/announcement.wav?number={ticket['number']}&counter={counter}",
        headers=world.device("display"),
    )
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert response.headers["Content-Language"] == "vi"
    params, audio = samples_of(response.data)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE)
    duration = len(audio) / RATE
    assert 5 < duration < 15

    words = call_words(ticket["number"], counter, "vi")
    assert " ".join(CLIPS["vi"][w] for w in words if w != PAUSE) == (
        "Mời công dân có số thứ tự a hai đến quầy số hai"
    )
    # The Vietnamese clips of "Mời công dân có số thứ tự | a | hai | đến quầy số | hai", in that order,
    # after the chime; no English.
    found = positions(audio, [clip("vi", w) for w in words if w != PAUSE])
    assert -1 not in found and found == sorted(found)
    assert found[0] / 2 / RATE > 1.5  # the chime comes first
    assert positions(audio, [clip("en", "call")]) == [-1]
    assert voiced_fraction(audio, found[0] / 2 / RATE) > 0.6
    assert voiced_fraction(audio, 0)  # and the chime is sound too

    again = world.client.get(
        f"/api/v1/sites/{site_id}/announcement.wav?number={ticket['number']}&counter={counter}",
        headers=world.staff("clerk"),
    )
    assert again.data == response.data  # made once, then served from the cache
    assert len(list((Path(world.app.instance_path) / "announcements").glob("*.wav"))) == 1


def test_english_follows_vietnamese_where_the_site_asks_for_it(
    make_app: Callable[..., Flask], sqlite_url: str
) -> None:
    config = copy.deepcopy(TEST_CONFIG)
    config["communes"][0]["sites"][0]["announce_english"] = True
    world = World(make_app(sqlite_url, config=config))
    response = world.client.get(
        f"/api/v1/sites/{world.site('CB')['id']}/announcement.wav?number=B015&counter=3",
        headers=world.device("display"),
    )
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi, en"
    _params, audio = samples_of(response.data)
    vi = [clip("vi", w) for w in call_words("B015", 3, "vi") if w != PAUSE]
    en = [clip("en", w) for w in call_words("B015", 3, "en") if w != PAUSE]
    found = positions(audio, vi + en)
    assert -1 not in found and found == sorted(found)
    assert [CLIPS["en"][w] for w in call_words("B015", 3, "en") if w != PAUSE] == [
        "Number", "bee", "fifteen", "please go to counter", "three"
    ]  # fmt: skip


def test_a_centre_s_own_recording_replaces_a_built_in_clip(world: World) -> None:
    url = f"/api/v1/sites/{world.site('CB')['id']}/announcement.wav?number=A001&counter=1"
    headers = world.device("display")
    built_in = samples_of(world.client.get(url, headers=headers).data)[1]

    # A recording in another format (stereo, 8 kHz): converted on the way in.
    own = Path(world.app.instance_path) / "voice" / "vi"
    own.mkdir(parents=True)
    recorded = array("h", (int(8000 * ((i // 20) % 2 * 2 - 1)) for i in range(8000)))  # 1 s square wave
    with wave.open(str(own / "to_counter.wav"), "wb") as target:
        target.setnchannels(2)
        target.setsampwidth(2)
        target.setframerate(8000)
        target.writeframes(array("h", (s for sample in recorded for s in (sample, sample))).tobytes())

    replaced = samples_of(world.client.get(url, headers=headers).data)[1]
    assert replaced != built_in
    assert positions(replaced, [clip("vi", "to_counter", own.parent)]) != [-1]
    assert positions(replaced, [clip("vi", "to_counter")]) == [-1]
    assert positions(replaced, [clip("vi", "call"), clip("vi", "letter_a")]) != [-1, -1]


def test_a_recording_that_cannot_be_read_is_passed_over_for_the_built_in_clip(world: World) -> None:
    own = Path(world.app.instance_path) / "voice" / "vi"
    own.mkdir(parents=True)
    (own / "call.wav").write_bytes(b"not a wav file")
    (own.parent / "chime.wav").write_bytes(b"RIFF....WAVE")
    url = f"/api/v1/sites/{world.site('CB')['id']}/announcement.wav?number=A001&counter=1"
    response = world.client.get(url, headers=world.device("display"))
    assert response.status_code == 200
    assert positions(samples_of(response.data)[1], [clip("vi", "call")]) != [-1]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("number=A001&counter=9", 404),
        ("number=a001&counter=1", 422),
        ("number=A001", 422),
        ("counter=1", 422),
    ],
)
def test_announcements_of_what_cannot_be_called_are_refused(world: World, query: str, status: int) -> None:
    url = f"/api/v1/sites/{world.site('CB')['id']}/announcement.wav?{query}"
    response = world.client.get(url, headers=world.device("display"))
    assert response.status_code == status
    assert "error" in response.json


def test_announcements_are_for_the_site_s_own_devices_and_staff(world: World) -> None:
    url = f"/api/v1/sites/{world.site('CB')['id']}/announcement.wav?number=A001&counter=1"
    assert world.client.get(url).status_code == 401
    assert world.client.get(url, headers=world.device("display", site="CH")).status_code == 403


def test_the_announcement_cache_stays_bounded(tmp_path: Path) -> None:
    voice = Voice(tmp_path, cache_limit=8)
    for n in range(20):
        voice.announcement([("vi", call_words(f"A{n:03d}", 1, "vi"))])
    assert len(list((tmp_path / "announcements").glob("*.wav"))) <= 8
    assert not list((tmp_path / "announcements").glob("*.part"))


def test_clips_in_other_formats_are_converted(tmp_path: Path) -> None:
    path = tmp_path / "clip.wav"
    with wave.open(str(path), "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(1)
        target.setframerate(32_000)
        target.writeframes(bytes([128, 255, 128, 0] * 8000))  # 1 s of 8-bit sound
    converted = read_wav(path)
    assert abs(len(converted) - RATE) <= 1
    write_wav(tmp_path / "out.wav", converted)
    with wave.open(str(tmp_path / "out.wav"), "rb") as written:
        assert (written.getnchannels(), written.getsampwidth(), written.getframerate()) == (1, 2, RATE)
