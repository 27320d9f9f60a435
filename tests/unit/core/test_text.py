"""Tests for Vietnamese text normalisation and search keys."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop_desk.core.text import nfc, search_key


def test_nfc_composes_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert decomposed != "Nguyễn Thị Ánh"
    assert nfc(decomposed) == "Nguyễn Thị Ánh"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("NGUYỄN  Văn Ánh", "nguyen van anh"),
        ("  Chứng thực\tbản sao\n", "chung thuc ban sao"),
        ("ĐẶNG VĂN LÂM", "dang van lam"),
        ("Ðặng", "dang"),
        ("", ""),
    ],
)
def test_search_key(text: str, expected: str) -> None:
    assert search_key(text) == expected


def test_search_key_same_for_nfc_and_nfd() -> None:
    text = "Xác nhận tình trạng hôn nhân"
    assert search_key(unicodedata.normalize("NFD", text)) == search_key(text)


@given(st.text())
def test_search_key_is_idempotent_and_unmarked(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", key))
    assert "đ" not in key
    assert key == key.strip()
    assert "  " not in key
