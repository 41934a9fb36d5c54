"""Announcement audio: a chime, then recorded clips of words composed into one WAV per call.

Clips are small WAV files, one per word or fixed phrase (their names and texts are
``server.domain.announcement.CLIPS``). The built-in set, in ``server/voice/clips/<language>/``, was made once
with a speech synthesiser by ``scripts/make-voice-clips``; a centre replaces any of them with a recording of
a human voice by putting a file of the same name in ``<instance>/voice/<language>/`` (and the chime in
``<instance>/voice/chime.wav``). Any mono or stereo, 8- or 16-bit PCM WAV is accepted; it is converted to
the announcement format, mono 16-bit PCM at 16 kHz, with leading and trailing silence trimmed.

Composed announcements are cached in ``<instance>/announcements/`` under a name derived from the clip
files they were made of (so replacing a clip makes new ones), and the cache is kept to a bounded size.
Only the standard library is used: ``wave`` reads and writes, ``array`` holds the samples.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import logging
import math
import os
import tempfile
import threading
import wave
from array import array
from collections.abc import Sequence
from pathlib import Path

from server.domain.announcement import PAUSE

RATE = 16_000
BUILT_IN = Path(__file__).resolve().with_name("clips")
FORMAT_VERSION = "1"  # bump when the composition below changes, so cached files are made again

WORD_GAP_S = 0.05
PAUSE_S = 0.22
AFTER_CHIME_S = 0.25
BETWEEN_LANGUAGES_S = 0.8
PEAK = 0.8  # every clip is scaled to this peak, so a word recorded softly is not lost
SILENCE = 0.02  # below this fraction of full scale, a clip's edges count as silence

log = logging.getLogger(__name__)

Reading = tuple[str, Sequence[str]]  # (language, clip names with PAUSE marks)


class MissingClip(LookupError):
    """No clip of that name exists for that language (neither replaced nor built in)."""


def read_wav(path: Path) -> array[int]:
    """The samples of a PCM WAV file as mono 16-bit at :data:`RATE`."""
    with wave.open(str(path), "rb") as source:
        channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
        raw = source.readframes(source.getnframes())
    if width == 2:
        samples = array("h", raw)
    elif width == 1:  # 8-bit WAV is unsigned
        samples = array("h", ((b - 128) << 8 for b in raw))
    else:
        raise ValueError(f"{path.name}: only 8- and 16-bit PCM WAV files can be used")
    if channels > 1:
        samples = array(
            "h", (sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels))
        )
    return resample(samples, rate, RATE)


def resample(samples: array[int], source_rate: int, target_rate: int) -> array[int]:
    """Linear-interpolation resampling, after a moving average when going down (so a 44.1 kHz
    recording's hiss does not fold back into the voice): plenty for speech at 16 kHz."""
    if source_rate == target_rate or not samples:
        return samples
    width = math.ceil(source_rate / target_rate)
    if width > 1:
        sums = [0, *itertools.accumulate(samples)]
        samples = array(
            "h", ((sums[min(i + width, len(samples))] - sums[i]) // width for i in range(len(samples)))
        )
    count = max(1, round(len(samples) * target_rate / source_rate))
    step = source_rate / target_rate
    last = len(samples) - 1
    out = array("h", bytes(2 * count))
    for i in range(count):
        position = i * step
        left = min(int(position), last)
        right = min(left + 1, last)
        fraction = position - left
        out[i] = int(samples[left] + (samples[right] - samples[left]) * fraction)
    return out


def trim(samples: array[int], threshold: float = SILENCE) -> array[int]:
    """Drop leading and trailing silence (keeping 10 ms either side, so no word is clipped)."""
    level = int(threshold * 32767)
    first = next((i for i, s in enumerate(samples) if abs(s) > level), None)
    if first is None:
        return array("h")
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > level)
    margin = RATE // 100
    return samples[max(0, first - margin) : min(len(samples), last + margin + 1)]


def normalise(samples: array[int], peak: float = PEAK) -> array[int]:
    """Scale ``samples`` so their loudest point is ``peak`` of full scale."""
    top = max((abs(s) for s in samples), default=0)
    if top == 0:
        return samples
    gain = peak * 32767 / top
    return array("h", (int(s * gain) for s in samples))


def silence(seconds: float) -> array[int]:
    return array("h", bytes(2 * int(seconds * RATE)))


@functools.cache
def chime() -> array[int]:
    """A two-note "ding-dong" (E5 then C5) with soft harmonics and a bell-like decay, about 1.6 s."""
    total = int(1.6 * RATE)
    out = [0.0] * total
    for start_s, frequency in ((0.0, 659.25), (0.45, 523.25)):
        start = int(start_s * RATE)
        for i in range(total - start):
            t = i / RATE
            envelope = math.exp(-3.2 * t) * min(1.0, t / 0.005)
            wave_ = (
                math.sin(2 * math.pi * frequency * t)
                + 0.35 * math.sin(2 * math.pi * 2 * frequency * t)
                + 0.12 * math.sin(2 * math.pi * 3 * frequency * t)
            )
            out[start + i] += 0.32 * envelope * wave_
    fade = int(0.08 * RATE)
    for i in range(fade):  # end softly, not with a click
        out[total - fade + i] *= 1 - i / fade
    return array("h", (int(max(-1.0, min(1.0, v)) * 32767) for v in out))


def write_wav(path: Path, samples: array[int]) -> None:
    path.write_bytes(wav_bytes(samples))


def wav_bytes(samples: array[int]) -> bytes:
    """``samples`` as a WAV file: mono 16-bit PCM at :data:`RATE`."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(samples.tobytes())
    return buffer.getvalue()


class Voice:
    """Finds clips (a centre's own recordings first), composes announcements and caches them."""

    def __init__(self, instance_path: Path, *, built_in: Path = BUILT_IN, cache_limit: int = 400) -> None:
        self.own = Path(instance_path) / "voice"
        self.built_in = built_in
        self.cache = Path(instance_path) / "announcements"
        self.cache_limit = cache_limit
        self._clips: dict[tuple[Path, int], array[int]] = {}
        self._lock = threading.Lock()

    def clip_path(self, language: str, name: str) -> Path:
        """A centre's own recording of the clip if it has a usable one, else the built-in clip."""
        own = self.own / language / f"{name}.wav"
        if own.is_file() and self._usable(own):
            return own
        path = self.built_in / language / f"{name}.wav"
        if path.is_file():
            return path
        raise MissingClip(f"no clip {language}/{name}.wav")

    def _usable(self, path: Path) -> bool:
        try:
            self._load(path)
        except (OSError, EOFError, ValueError, wave.Error) as exc:
            log.warning("cannot use %s (%s): the built-in clip is used instead", path, exc)
            return False
        return True

    def chime_path(self) -> Path | None:
        path = self.own / "chime.wav"
        return path if path.is_file() and self._usable(path) else None

    def announcement(self, readings: Sequence[Reading]) -> tuple[str, bytes]:
        """A chime followed by ``readings``, as WAV bytes, with a fingerprint of the clips it is made of
        (made now unless already cached)."""
        paths = [[self.clip_path(language, w) for w in words if w != PAUSE] for language, words in readings]
        chime_file = self.chime_path()
        fingerprint = hashlib.sha256(FORMAT_VERSION.encode())
        for path in [p for group in paths for p in group] + ([chime_file] if chime_file else []):
            stat = path.stat()
            fingerprint.update(f"{path}|{stat.st_mtime_ns}|{stat.st_size}\n".encode())
        for language, words in readings:
            fingerprint.update(f"{language}:{' '.join(words)}\n".encode())
        key = fingerprint.hexdigest()[:32]
        target = self.cache / f"{key}.wav"
        try:
            data = target.read_bytes()
            os.utime(target)  # recently used: pruned last
            return key, data
        except FileNotFoundError:
            pass  # not made yet, or pruned meanwhile
        data = wav_bytes(self._compose(readings, chime_file))
        self.cache.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.cache, suffix=".part")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)  # atomic: a concurrent request sees the whole file or none
        self._prune()
        return key, data

    def _compose(self, readings: Sequence[Reading], chime_file: Path | None) -> array[int]:
        out = array("h")
        out += self._load(chime_file) if chime_file else chime()
        out += silence(AFTER_CHIME_S)
        for index, (language, words) in enumerate(readings):
            if index:
                out += silence(BETWEEN_LANGUAGES_S)
            for position, word in enumerate(words):
                if word == PAUSE:
                    out += silence(PAUSE_S)
                    continue
                if position and words[position - 1] != PAUSE:
                    out += silence(WORD_GAP_S)
                out += self._load(self.clip_path(language, word))
        out += silence(0.3)
        return out

    def _load(self, path: Path) -> array[int]:
        key = (path, path.stat().st_mtime_ns)
        with self._lock:
            cached = self._clips.get(key)
        if cached is None:
            cached = normalise(trim(read_wav(path)))
            with self._lock:
                self._clips[key] = cached
        return cached

    def _prune(self) -> None:
        """Keep the cache to ``cache_limit`` files, dropping the least recently used (made again if asked)."""
        files = [entry for entry in os.scandir(self.cache) if entry.name.endswith(".wav")]
        if len(files) <= self.cache_limit:
            return
        files.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in files[: len(files) - self.cache_limit * 3 // 4]:
            Path(entry.path).unlink(missing_ok=True)
