"""Tests for what the waiting-room voice says: number words, letter names and clip ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core.speech import (
    CHIME,
    LETTER_NAMES,
    NUMBER_WORD_CLIPS,
    PHRASE_CALL,
    PHRASE_COUNTER,
    announcement_speech,
    announcement_text,
    announcement_tokens,
    clip_ids,
    clip_words,
    number_words,
    pauses_after_ms,
)

# Written out independently of the module: the value of each word as a listener hears it.
DIGIT_VALUES = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}


def heard_value(words: list[str]) -> int:
    """What number a listener understands from the words."""
    total = current = digit = 0
    for word in words:
        if word in DIGIT_VALUES:
            digit = DIGIT_VALUES[word]
        elif word == "mười":
            current += 10
        elif word == "mươi":
            current, digit = current + digit * 10, 0
        elif word == "trăm":
            current, digit = current + digit * 100, 0
        elif word == "nghìn":
            total, current, digit = (current + digit) * 1000, 0, 0
        else:
            assert word == "linh", word
    return total + current + digit


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (12, "mười hai"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (99, "chín mươi chín"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (104, "một trăm linh bốn"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (121, "một trăm hai mươi mốt"),
        (1000, "một nghìn"),
        (1005, "một nghìn không trăm linh năm"),
        (1010, "một nghìn không trăm mười"),
        (1100, "một nghìn một trăm"),
        (2025, "hai nghìn không trăm hai mươi lăm"),
        (9999, "chín nghìn chín trăm chín mươi chín"),
    ],
)
def test_number_words_as_a_caller_says_them(n: int, words: str) -> None:
    assert number_words(n) == words.split()


@given(st.integers(0, 9999))
def test_number_words_are_heard_as_the_number(n: int) -> None:
    assert heard_value(number_words(n)) == n


@given(st.integers(0, 9999))
def test_number_words_follow_the_spoken_rules(n: int) -> None:
    words = number_words(n)
    assert set(words) <= NUMBER_WORD_CLIPS.keys()
    for before, word in zip(["", *words], words, strict=False):
        if word in {"mốt", "tư"}:
            assert before == "mươi", words
        if word == "lăm":
            assert before in {"mười", "mươi"}, words
    if "linh" in words:
        # "linh" bridges an empty tens place: "trăm linh" and one last digit.
        assert words[-3] == "trăm"
        assert words[-1] in {"một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}
    if "không" in words and n != 0:
        assert words[words.index("không") - 1 : words.index("không") + 2] == [
            "nghìn",
            "không",
            "trăm",
        ]


@pytest.mark.parametrize("n", [-1, 10_000])
def test_number_words_out_of_range(n: int) -> None:
    with pytest.raises(ValueError, match="0 đến 9999"):
        number_words(n)


def test_announcement_tokens_for_a012_at_counter_3() -> None:
    assert announcement_tokens("A012", 3) == [
        "chime",
        "xin_moi_cong_dan_co_so_thu_tu",
        "letter_a",
        "muoi",
        "hai",
        "den_quay_so",
        "ba",
    ]


@pytest.mark.parametrize(
    ("display", "counter", "middle", "end"),
    [
        ("B001", 1, ["letter_b", "mot"], ["mot"]),
        ("C105", 21, ["letter_c", "mot", "tram", "linh", "nam"], ["hai", "muoi_ngang", "mot_sac"]),
        (" đ024 ", 12, ["letter_dd", "hai", "muoi_ngang", "tu"], ["muoi", "hai"]),
        ("HK1000", 5, ["letter_h", "letter_k", "mot", "nghin"], ["nam"]),
        ("007", 2, ["bay"], ["hai"]),
    ],
)
def test_announcement_tokens_read_letters_then_the_number(
    display: str, counter: int, middle: list[str], end: list[str]
) -> None:
    assert announcement_tokens(display, counter) == [
        CHIME,
        PHRASE_CALL,
        *middle,
        PHRASE_COUNTER,
        *end,
    ]


@pytest.mark.parametrize(
    ("display", "counter"),
    [("A12B", 1), ("", 1), ("ABCD012", 1), ("A10000", 1), ("A012", 0), ("A012", 10_000)],
)
def test_announcement_refuses_what_it_cannot_read(display: str, counter: int) -> None:
    with pytest.raises(ValueError, match="Số"):
        announcement_tokens(display, counter)


@given(
    st.text(alphabet="ABCDĐEFGHIJKLMNOPQRSTUVWXYZ", max_size=3),
    st.integers(0, 9999),
    st.integers(1, 9999),
)
def test_every_token_has_a_clip(prefix: str, number: int, counter: int) -> None:
    tokens = announcement_tokens(f"{prefix}{number:03d}", counter)
    assert set(tokens) <= set(clip_ids())
    letters = ["letter_dd" if c == "Đ" else f"letter_{c.lower()}" for c in prefix]
    assert tokens[: 2 + len(prefix)] == [CHIME, PHRASE_CALL, *letters]
    assert tokens[2 + len(prefix) :].count(PHRASE_COUNTER) == 1
    pauses = pauses_after_ms(tokens)
    assert len(pauses) == len(tokens)
    assert pauses[-1] == 0
    assert all(p > 0 for p in pauses[:-1])


def test_letter_names_as_a_caller_says_them() -> None:
    words = clip_words()
    expected = {"A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "G": "giê"}
    expected |= {"H": "hát", "K": "ca"}
    for letter, name in expected.items():
        assert LETTER_NAMES[letter] == name
        clip = "letter_dd" if letter == "Đ" else f"letter_{letter.lower()}"
        assert words[clip] == name
    assert set(LETTER_NAMES) == set("ABCDĐEFGHIJKLMNOPQRSTUVWXYZ")


def test_clip_ids_are_distinct_ascii_file_names() -> None:
    ids = clip_ids()
    assert ids[0] == CHIME
    assert len(ids) == len(set(ids)) == 2 + len(LETTER_NAMES) + len(NUMBER_WORD_CLIPS) + 1
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", clip) for clip in ids)
    assert NUMBER_WORD_CLIPS["mười"] == "muoi"
    # Words that differ only by tone must still have their own recordings.
    assert len(set(NUMBER_WORD_CLIPS.values())) == len(NUMBER_WORD_CLIPS)


def test_announcement_text_is_what_the_screen_shows() -> None:
    assert announcement_text("A012", 3) == "Xin mời công dân có số thứ tự A012 đến quầy số 3"
    assert announcement_text(" b007", 12) == "Xin mời công dân có số thứ tự B007 đến quầy số 12"


def test_announcement_speech_spells_out_numbers_for_a_speech_engine() -> None:
    assert (
        announcement_speech("A012", 3)
        == "Xin mời công dân có số thứ tự, a mười hai, đến quầy số ba."
    )
    assert announcement_speech("C105", 24).endswith(
        "xê một trăm linh năm, đến quầy số hai mươi tư."
    )


def test_pauses_set_the_rhythm_of_a_call() -> None:
    tokens = announcement_tokens("A012", 3)
    pauses = dict(zip(tokens, pauses_after_ms(tokens), strict=True))
    # The chime stands apart, the number's words stay together, the phrase after it is set off.
    assert pauses[CHIME] > pauses[PHRASE_CALL] > pauses["muoi"]
    assert pauses["hai"] > pauses["muoi"]
    assert pauses_after_ms([]) == []
