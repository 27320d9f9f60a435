"""Scanned copies read from disk: their size checked and their SHA-256 computed, no widgets."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from onestop_desk.errors import KnownError
from onestop_desk.services.reception import ScannedFile

# Read in pieces: a scanned file is hashed without ever being held whole in memory.
CHUNK_BYTES: Final = 1024 * 1024
SCAN_FILTER: Final = "Bản quét (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;Mọi tệp (*)"


class FileTooLarge(KnownError):
    """A file is over the attachment size limit; nothing was attached."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path.name}: {size} > {limit}")
        self.path = path
        self.size = size
        self.limit = limit


def digest_file(path: Path, *, max_bytes: int) -> ScannedFile:
    """Size and SHA-256 of a file, read in chunks; FileTooLarge past ``max_bytes``.

    The limit is checked on the size first and again while reading, so a file that grows
    (a scanner still writing it) is never read past the limit.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise FileTooLarge(path, size, max_bytes)
    digest = hashlib.sha256()
    read = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            read += len(chunk)
            if read > max_bytes:
                raise FileTooLarge(path, read, max_bytes)
            digest.update(chunk)
    return ScannedFile(str(path), path.name, read, digest.hexdigest())


def format_size(size: int) -> str:
    """A file size as a Vietnamese reader expects it: "850 KB", "1,5 MB", "200 MB"."""
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    mb = size / (1024 * 1024)
    text = f"{mb:.0f}" if mb >= 100 or mb == int(mb) else f"{mb:.1f}"
    return f"{text.replace('.', ',')} MB"
