"""Vietnamese text normalisation: NFC for storage, diacritic-free keys for search."""

from __future__ import annotations

import unicodedata

# Đ/đ is a letter of its own, not D plus a mark, so decomposition leaves it alone. The Icelandic
# eth (Ð/ð) looks identical and turns up in text typed on foreign keyboard layouts.
_D_LETTERS = str.maketrans({"đ": "d", "ð": "d"})


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC (scanners and Windows IMEs often send decomposed text)."""
    return unicodedata.normalize("NFC", text)


def search_key(text: str) -> str:
    """Return a lower-case, diacritic-free, single-spaced key for matching Vietnamese text."""
    folded = nfc(text).casefold().translate(_D_LETTERS)
    decomposed = unicodedata.normalize("NFD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(nfc(bare).split())
