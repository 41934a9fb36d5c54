"""How a call is read aloud (thông báo gọi số): the words of "Mời công dân có số thứ tự A012 đến quầy số 3".

An announcement is a sequence of recorded clips, one per word or fixed phrase, named in :data:`CLIPS` (the
file names of the clip set; the texts are what each clip says). Reading rules, the same for every site:

- the ticket number is read letter by letter, then its digits as one number without the zero padding:
  ``A012`` → "a mười hai", ``B105`` → "bê một trăm linh năm", ``C1000`` → "xê một nghìn";
  when a prefix itself holds digits (``A1B012``), every digit group before the last is read digit by digit
  (and so is a last group of more than six digits, which no real day reaches);
- the counter is read as a number: ``3`` → "ba", ``12`` → "mười hai";
- Vietnamese numbers follow northern usage: "mười lăm", "hai mươi mốt", "một trăm linh năm",
  "một nghìn không trăm mười hai", "nghìn";
- English, when a site asks for it, follows: "Number A twelve, please go to counter three."

:data:`PAUSE` in a reading stands for a short breath between the parts of the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import N_, InvalidValue

PAUSE = ","

LANGUAGES = ("vi", "en")

_VI_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_VI_LETTERS = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "E": "e", "F": "ép", "G": "giê", "H": "hát", "I": "i",
    "J": "gi", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ", "O": "o", "P": "pê", "Q": "quy",
    "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê", "W": "vê kép", "X": "ích xì", "Y": "i dài",
    "Z": "dét",
}  # fmt: skip
_EN_SMALL = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_LETTERS = {
    "A": "ay", "B": "bee", "C": "see", "D": "dee", "E": "ee", "F": "eff", "G": "gee", "H": "aitch",
    "I": "eye", "J": "jay", "K": "kay", "L": "ell", "M": "em", "N": "en", "O": "oh", "P": "pee",
    "Q": "queue", "R": "ar", "S": "ess", "T": "tee", "U": "you", "V": "vee", "W": "double you", "X": "ex",
    "Y": "why", "Z": "zed",
}  # fmt: skip

# What the kiosk's speech mode says on its screens (kiosk/static/speech.js), in Vietnamese only: the
# services are read by their place on the screen after ``kiosk_service`` unless the centre recorded
# ``service_<CODE>.wav``.
KIOSK_CLIPS_VI = {
    "kiosk_home": (
        "Mời ông bà chọn dịch vụ. Bấm phím trái hoặc phải để nghe từng dịch vụ, phím Enter để chọn."
    ),
    "kiosk_service": "Dịch vụ số",
    "kiosk_review": "Ông bà đã chọn dịch vụ số",
    "kiosk_take": "Bấm phím Enter để lấy số.",
    "kiosk_back": "Quay lại.",
    "kiosk_procedures": "Giấy tờ cần mang.",
    "kiosk_your_number": "Số thứ tự của ông bà là",
    "kiosk_done": "Mời ông bà nhận phiếu và ngồi chờ gọi số.",
    "kiosk_louder": "To hơn.",
    "kiosk_softer": "Nhỏ hơn.",
}

# Clip name -> what the clip says, per language. The clip files are ``<name>.wav``.
CLIPS: dict[str, dict[str, str]] = {
    "vi": {
        "call": "Mời công dân có số thứ tự",
        "to_counter": "đến quầy số",
        **{f"digit_{n}": word for n, word in enumerate(_VI_DIGITS)},
        "ten": "mười",  # 10-19
        "tens": "mươi",  # after 2-9: hai mươi
        "one_after_tens": "mốt",  # hai mươi mốt
        "five_after_ten": "lăm",  # mười lăm, hai mươi lăm
        "hundred": "trăm",
        "zero_tens": "linh",  # một trăm linh năm
        "thousand": "nghìn",
        **{f"letter_{letter.lower()}": name for letter, name in _VI_LETTERS.items()},
        **KIOSK_CLIPS_VI,
    },
    "en": {
        "call": "Number",
        "to_counter": "please go to counter",
        **{f"number_{n}": word for n, word in enumerate(_EN_SMALL)},
        **{f"number_{n * 10}": _EN_TENS[n] for n in range(2, 10)},
        "hundred": "hundred",
        "thousand": "thousand",
        **{f"letter_{letter.lower()}": name for letter, name in _EN_LETTERS.items()},
    },
}

MAX_NUMBER = 999_999
_TICKET_NUMBER = re.compile(r"^[A-Z0-9]{1,16}$")
_GROUPS = re.compile(r"[A-Z]|[0-9]+")


def vietnamese_number(n: int) -> list[str]:
    """The clips that read ``n`` (0 to 999,999) in Vietnamese."""
    _check_range(n)
    if n == 0:
        return ["digit_0"]
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _vi_below_thousand(rest, after_thousands=False)
    words = [*_vi_below_thousand(thousands, after_thousands=False), "thousand"]
    if rest:
        words += _vi_below_thousand(rest, after_thousands=True)
    return words


def _vi_below_thousand(n: int, *, after_thousands: bool) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds or after_thousands:  # một nghìn không trăm mười hai
        words += [f"digit_{hundreds}", "hundred"]
    if rest == 0:
        return words
    tens, units = divmod(rest, 10)
    if tens == 0:
        if words:
            words.append("zero_tens")
        words.append(f"digit_{units}")
    elif tens == 1:
        words.append("ten")
        if units:
            words.append("five_after_ten" if units == 5 else f"digit_{units}")
    else:
        words += [f"digit_{tens}", "tens"]
        if units == 1:
            words.append("one_after_tens")
        elif units == 5:
            words.append("five_after_ten")
        elif units:
            words.append(f"digit_{units}")
    return words


def english_number(n: int) -> list[str]:
    """The clips that read ``n`` (0 to 999,999) in English: "one thousand twelve"."""
    _check_range(n)
    if n == 0:
        return ["number_0"]
    thousands, rest = divmod(n, 1000)
    words = [*_en_below_thousand(thousands), "thousand"] if thousands else []
    return words + (_en_below_thousand(rest) if rest else [])


def _en_below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [f"number_{hundreds}", "hundred"] if hundreds else []
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(f"number_{tens * 10}")
        if units:
            words.append(f"number_{units}")
    elif rest:
        words.append(f"number_{rest}")
    return words


def _check_range(n: int) -> None:
    if not 0 <= n <= MAX_NUMBER:
        raise InvalidValue(N_("A number to read aloud must be between 0 and %(max)s."), max=MAX_NUMBER)


def ticket_number_words(number: str, language: str) -> list[str]:
    """The clips that read a ticket number: letters by name, the last digit group as a number."""
    if not _TICKET_NUMBER.match(number):
        raise InvalidValue(N_("%(number)s is not a ticket number."), code="invalid_number", number=number)
    groups = _GROUPS.findall(number)
    last_digits = max((i for i, g in enumerate(groups) if g.isdigit()), default=-1)
    read = vietnamese_number if language == "vi" else english_number
    digit = "digit_{}" if language == "vi" else "number_{}"
    words: list[str] = []
    for index, group in enumerate(groups):
        if group.isalpha():
            words.append(f"letter_{group.lower()}")
        elif index == last_digits and len(group) <= 6:
            words += read(int(group))
        else:
            words += [digit.format(d) for d in group]
    return words


def call_words(number: str, counter: int, language: str) -> list[str]:
    """Every clip of one call in one language, with :data:`PAUSE` between the parts of the sentence."""
    if language not in LANGUAGES:
        raise InvalidValue(N_("There is no voice for the language %(language)s."), language=language)
    read = vietnamese_number if language == "vi" else english_number
    return ["call", *ticket_number_words(number, language), PAUSE, "to_counter", *read(counter)]


def spoken_text(words: list[str], language: str) -> str:
    """What a reading says, as text (for logs, tests and the people who record a human voice)."""
    texts: Mapping[str, str] = CLIPS[language]
    return " ".join(texts[w] for w in words if w != PAUSE)
