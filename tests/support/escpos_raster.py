"""Test support: ESC/POS byte streams read back into images, and a fake network printer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

ESC, GS, DLE = 0x1B, 0x1D, 0x10
RASTER = b"\x1dv0"
PAPER_QUERY = b"\x10\x04\x04"
ONLINE_QUERY = b"\x10\x04\x01"
# DLE EOT 4 answers: bits 1 and 4 are always set, bits 5-6 say "paper end".
PAPER_OK = 0x12
PAPER_EMPTY = 0x72
ONLINE = 0x12
# ESC/GS commands with fixed lengths that the jobs under test contain.
_FIXED = {
    (ESC, ord("@")): 2,
    (ESC, ord("d")): 3,
    (ESC, ord("J")): 3,
    (ESC, ord("2")): 2,
    (ESC, ord("3")): 3,
    (DLE, 0x04): 3,
}
_INVERT = bytes(255 - value for value in range(256))


@dataclass(frozen=True)
class RasterBlock:
    """One ``GS v 0 m xL xH yL yH d1...dk`` command found in a stream."""

    start: int
    end: int
    mode: int
    width_bytes: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Command:
    """Any other command (or stray byte) in the stream, as its raw bytes."""

    start: int
    raw: bytes


def walk(data: bytes) -> Iterator[RasterBlock | Command]:
    """The commands of an ESC/POS stream in order; raster data is skipped over, never scanned."""
    i = 0
    while i < len(data):
        if data.startswith(RASTER, i):
            if i + 8 > len(data):
                raise ValueError(f"truncated GS v 0 header at byte {i}")
            mode = data[i + 3]
            width_bytes = data[i + 4] | data[i + 5] << 8
            height = data[i + 6] | data[i + 7] << 8
            end = i + 8 + width_bytes * height
            if end > len(data):
                raise ValueError(f"GS v 0 at byte {i} announces {end - i - 8} bytes, stream ends")
            yield RasterBlock(i, end, mode, width_bytes, height, data[i + 8 : end])
            i = end
            continue
        if data[i] == GS and i + 2 < len(data) and data[i + 1] == ord("V"):
            length = 3 if data[i + 2] in (0, 1, 48, 49) else 4
            yield Command(i, data[i : i + length])
            i += length
            continue
        length = _FIXED.get((data[i], data[i + 1]), 1) if i + 1 < len(data) else 1
        yield Command(i, data[i : i + length])
        i += length


def _image(blocks: list[RasterBlock]) -> Image.Image:
    width = blocks[0].width_bytes * 8
    height = sum(block.height for block in blocks)
    # In GS v 0 a set bit burns a dot; in Pillow's mode "1" a set bit is white.
    raw = b"".join(block.data for block in blocks).translate(_INVERT)
    return Image.frombytes("1", (width, height), raw)


def decode_raster(data: bytes) -> list[Image.Image]:
    """Every raster image in the stream; back-to-back blocks (python-escpos sends tall images in
    slices of 960 rows) are stitched into one image."""
    images: list[Image.Image] = []
    run: list[RasterBlock] = []
    for item in walk(data):
        if not isinstance(item, RasterBlock):
            if run:
                images.append(_image(run))
                run = []
            continue
        if run and (item.start != run[-1].end or item.width_bytes != run[-1].width_bytes):
            images.append(_image(run))
            run = []
        run.append(item)
    if run:
        images.append(_image(run))
    return images


def raster_blocks(data: bytes) -> list[RasterBlock]:
    """The raw ``GS v 0`` blocks, for checks on how the image was sliced."""
    return [item for item in walk(data) if isinstance(item, RasterBlock)]


def cuts(data: bytes) -> list[bytes]:
    """The ``GS V`` cut commands in the stream."""
    return [
        item.raw
        for item in walk(data)
        if isinstance(item, Command) and item.raw[:2] == bytes((GS, ord("V")))
    ]


def has_cut(data: bytes) -> bool:
    """Whether the stream cuts the paper (``GS V``, outside any image data)."""
    return bool(cuts(data))


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    """Equal size and identical 1-bit pixels."""
    return a.size == b.size and a.convert("1").tobytes() == b.convert("1").tobytes()


@dataclass(frozen=True)
class RecordedJob:
    """What one connection sent, and whether the client closed it (rather than our timeout)."""

    data: bytes
    closed_by_client: bool
    opened_at: float
    finished_at: float


class PrinterRecorder:
    """A fake network printer on 127.0.0.1: records every connection's bytes, one at a time.

    Like a real printer it answers status queries (DLE EOT 4 → ``paper``) sent at the start of a
    connection; ``paper=None`` plays a printer that never answers. ``read=False`` plays a jammed
    printer that accepts the connection and reads nothing. It stops by itself after ``lifetime``.
    """

    def __init__(
        self,
        *,
        paper: int | None = PAPER_OK,
        read: bool = True,
        lifetime: float = 60.0,
        read_timeout: float = 10.0,
    ) -> None:
        self.paper = paper
        self.read = read
        self.lifetime = lifetime
        self.read_timeout = read_timeout
        self._jobs: list[RecordedJob] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if not read:
            # A small window fills quickly, so the client's send blocks as on a jammed printer.
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self._server.settimeout(0.05)
        self.port: int = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="printer-recorder", daemon=True)

    @property
    def url(self) -> str:
        return f"net:127.0.0.1:{self.port}"

    def __enter__(self) -> PrinterRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.read_timeout + 1)

    def jobs(self) -> list[RecordedJob]:
        with self._changed:
            return list(self._jobs)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[RecordedJob]:
        """The recorded jobs once there are ``count`` of them (AssertionError after ``timeout``)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._jobs) >= count, timeout):
                raise AssertionError(f"expected {count} print jobs, got {len(self._jobs)}")
            return list(self._jobs)

    def _serve(self) -> None:
        deadline = time.monotonic() + self.lifetime
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                try:
                    conn, _ = self._server.accept()
                except TimeoutError:
                    continue
                with conn:
                    job = self._record(conn, deadline)
                with self._changed:
                    self._jobs.append(job)
                    self._changed.notify_all()
        finally:
            self._server.close()

    def _record(self, conn: socket.socket, deadline: float) -> RecordedJob:
        opened = time.perf_counter()
        received = bytearray()
        answered = 0  # bytes of leading status queries already answered
        closed = False
        conn.settimeout(0.05)
        idle_until = time.monotonic() + self.read_timeout
        while not self._stop.is_set() and time.monotonic() < min(deadline, idle_until):
            if not self.read:
                time.sleep(0.05)
                continue
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                closed = True
                break
            idle_until = time.monotonic() + self.read_timeout
            received += chunk
            while answered >= 0 and len(received) >= answered + 3:
                query = bytes(received[answered : answered + 3])
                if query not in (PAPER_QUERY, ONLINE_QUERY):
                    answered = -1  # the job has started: its bytes are data, not queries
                    break
                if self.paper is not None:
                    conn.sendall(bytes((self.paper if query == PAPER_QUERY else ONLINE,)))
                answered += 3
        return RecordedJob(bytes(received), closed, opened, time.perf_counter())
