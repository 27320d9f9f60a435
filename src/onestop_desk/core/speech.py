"""What the waiting-room voice says for a call: Vietnamese number words, letter names, clip ids."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Final

CHIME: Final = "chime"
PHRASE_CALL: Final = "xin_moi_cong_dan_co_so_thu_tu"
PHRASE_COUNTER: Final = "den_quay_so"

CALL_WORDS: Final = "Xin mời công dân có số thứ tự"
COUNTER_WORDS: Final = "đến quầy số"

MAX_NUMBER: Final = 9999

# Letter names as a caller spells a ticket prefix aloud (the "bê, xê" names used for acronyms, not
# the "bờ, cờ" names of first grade). F, J, W, Z are not Vietnamese letters but may be prefixes.
LETTER_NAMES: Final[Mapping[str, str]] = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e-lờ",
    "M": "em-mờ",
    "N": "en-nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e-rờ",
    "S": "ét-xì",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích-xì",
    "Y": "i dài",
    "Z": "dét",
}

# Clip ids are file names, so ASCII; where two words differ only by tone the tone is named.
NUMBER_WORD_CLIPS: Final[Mapping[str, str]] = {
    "không": "khong",
    "một": "mot",
    "mốt": "mot_sac",
    "hai": "hai",
    "ba": "ba",
    "bốn": "bon",
    "tư": "tu",
    "năm": "nam",
    "lăm": "lam",
    "sáu": "sau",
    "bảy": "bay",
    "tám": "tam",
    "chín": "chin",
    "mười": "muoi",
    "mươi": "muoi_ngang",
    "trăm": "tram",
    "nghìn": "nghin",
    "linh": "linh",
}

_DIGITS: Final = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_DISPLAY: Final = re.compile(r"([A-ZĐ]{0,3})([0-9]+)")

# Pauses (ms) after a clip, by what it is and what follows: clips are trimmed tight, so without
# these the words of a number run into the phrase after it.
_PAUSE_AFTER_CHIME: Final = 350
_PAUSE_AFTER_PHRASE: Final = 150
_PAUSE_AFTER_LETTER: Final = 100
_PAUSE_IN_NUMBER: Final = 40
_PAUSE_BEFORE_PHRASE: Final = 250


def _letter_clip(letter: str) -> str:
    return "letter_dd" if letter == "Đ" else f"letter_{letter.lower()}"


def clip_words() -> dict[str, str]:
    """Every clip id but the chime, with the Vietnamese words its recording says."""
    words = {PHRASE_CALL: CALL_WORDS, PHRASE_COUNTER: COUNTER_WORDS}
    words |= {_letter_clip(letter): name for letter, name in LETTER_NAMES.items()}
    words |= {clip: word for word, clip in NUMBER_WORD_CLIPS.items()}
    return words


def clip_ids() -> list[str]:
    """Every clip an announcement can use, the chime first."""
    return [CHIME, *clip_words()]


def _two_digits(n: int) -> list[str]:
    """10..99 as spoken: "mười lăm", "hai mươi mốt", "hai mươi tư"."""
    tens, unit = divmod(n, 10)
    words = ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if unit == 0:
        return words
    if unit == 5:
        return [*words, "lăm"]
    if tens > 1 and unit == 1:
        return [*words, "mốt"]
    # "tư" after "mươi" is what callers say; after "mười" it is "bốn" ("mười bốn").
    if tens > 1 and unit == 4:
        return [*words, "tư"]
    return [*words, _DIGITS[unit]]


def _below_hundred_after(n: int) -> list[str]:
    """0..99 following "trăm": a lone digit takes "linh" (105 "một trăm linh năm")."""
    if n == 0:
        return []
    if n < 10:
        return ["linh", _DIGITS[n]]
    return _two_digits(n)


def number_words(n: int) -> list[str]:
    """The Vietnamese reading of 0..9999 as word tokens, as a caller says it.

    Northern standard forms: "linh" (not "lẻ"), "nghìn" (not "ngàn"), "mốt", "tư", "lăm" after
    "mươi", and "không trăm" kept after "nghìn" (1005 "một nghìn không trăm linh năm").
    """
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"Chỉ đọc được số từ 0 đến {MAX_NUMBER} (đang là {n}).")
    if n < 10:
        return [_DIGITS[n]]
    if n < 100:
        return _two_digits(n)
    thousands, rest = divmod(n, 1000)
    words = [_DIGITS[thousands], "nghìn"] if thousands else []
    hundreds, rest = divmod(rest, 100)
    if thousands and hundreds == 0 and rest == 0:
        return words
    return [*words, _DIGITS[hundreds], "trăm", *_below_hundred_after(rest)]


def _parse_display(display: str) -> tuple[str, str, int]:
    """The ticket number as shown (A012), its letters (A) and its value (12)."""
    text = unicodedata.normalize("NFC", display).strip().upper()
    match = _DISPLAY.fullmatch(text)
    if match is None or int(match[2]) > MAX_NUMBER:
        raise ValueError(f"Số thứ tự không đọc được: {display!r} (cần dạng A012).")
    return text, match[1], int(match[2])


def _check_counter(counter: int) -> None:
    if not 1 <= counter <= MAX_NUMBER:
        raise ValueError(f"Số quầy phải từ 1 đến {MAX_NUMBER} (đang là {counter}).")


def _number_clips(n: int) -> list[str]:
    return [NUMBER_WORD_CLIPS[word] for word in number_words(n)]


def announcement_tokens(display: str, counter: int) -> list[str]:
    """Clip ids to play in order for a call, e.g. A012 at counter 3 → chime, phrase, a, 12, 3."""
    _check_counter(counter)
    _, prefix, number = _parse_display(display)
    return [
        CHIME,
        PHRASE_CALL,
        *(_letter_clip(letter) for letter in prefix),
        *_number_clips(number),
        PHRASE_COUNTER,
        *_number_clips(counter),
    ]


def announcement_text(display: str, counter: int) -> str:
    """The call as written on screen: "Xin mời công dân có số thứ tự A012 đến quầy số 3"."""
    _check_counter(counter)
    shown, _, _ = _parse_display(display)
    return f"{CALL_WORDS} {shown} {COUNTER_WORDS} {counter}"


def announcement_speech(display: str, counter: int) -> str:
    """The call with numbers and letters in words, for a speech engine that would misread A012."""
    _check_counter(counter)
    _, prefix, number = _parse_display(display)
    ticket = [*(LETTER_NAMES[letter] for letter in prefix), *number_words(number)]
    return f"{CALL_WORDS}, {' '.join(ticket)}, {COUNTER_WORDS} {' '.join(number_words(counter))}."


def pauses_after_ms(tokens: Sequence[str]) -> list[int]:
    """Silence (ms) to put after each clip of an announcement; the last gets none."""
    letters = {_letter_clip(letter) for letter in LETTER_NAMES}
    phrases = {PHRASE_CALL, PHRASE_COUNTER}
    pauses: list[int] = []
    for token, following in itertools.pairwise(tokens):
        if token == CHIME:
            pauses.append(_PAUSE_AFTER_CHIME)
        elif token in phrases:
            pauses.append(_PAUSE_AFTER_PHRASE)
        elif following in phrases:
            pauses.append(_PAUSE_BEFORE_PHRASE)
        elif token in letters:
            pauses.append(_PAUSE_AFTER_LETTER)
        else:
            pauses.append(_PAUSE_IN_NUMBER)
    return [*pauses, 0] if tokens else []
