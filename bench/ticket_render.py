"""Benchmark: ticket image render time, ESC/POS encoding, and tap-to-bytes on a TCP printer.

Run with ``.venv/bin/python bench/ticket_render.py [--iterations N] [--screenshots DIR]``.
Every measured ticket has a new number, queue length and time, as at the kiosk; the center and
field lines repeat, as they do all day. Tap-to-bytes runs render + encode + connect + paper query
+ send + close against a fake printer on 127.0.0.1 and stops the clock when that printer has the
job's last byte; the database part of a tap is measured by ``bench/tickets.py``.
``--screenshots docs/screenshots`` also writes ticket-58mm.png and ticket-80mm.png: tickets printed
to a file and decoded back from the ESC/POS bytes, a normal one and a priority one side by side.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO / "src", REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import PIL  # noqa: E402
from PIL import Image  # noqa: E402
from tests.support.escpos_raster import PrinterRecorder, decode_raster, has_cut  # noqa: E402

from onestop_desk.printing import layout  # noqa: E402
from onestop_desk.printing.layout import TicketContent, render_ticket  # noqa: E402
from onestop_desk.printing.printers import encode_raster_job, print_ticket  # noqa: E402

RENDER_P95_TARGET_MS = 30.0
# The kiosk's whole tap (database + printing) must stay under 150 ms at p95.
TAP_P95_TARGET_MS = 150.0
WIDTHS = (384, 576)
FIELDS = (("A", "Hộ tịch"), ("B", "Thành lập và hoạt động của hộ kinh doanh"), ("C", "Đất đai"))
PRIORITIES = (None, None, None, "Người cao tuổi", None, "Phụ nữ mang thai")


def ticket(i: int, qr: bool = False) -> TicketContent:
    prefix, field = FIELDS[i % len(FIELDS)]
    return TicketContent(
        center_name="Trung tâm Phục vụ hành chính công xã Hòa Sơn",
        display=f"{prefix}{i % 999 + 1:03d}",
        field_name=field,
        waiting_ahead=i % 40,
        issued_at=datetime(2026, 11, 24, 7, 30) + timedelta(minutes=i),
        priority_label=PRIORITIES[i % len(PRIORITIES)],
        qr_text=f"https://dichvucong.gov.vn/tra-cuu?so={prefix}{i:05d}" if qr else None,
    )


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


SCREENSHOT_TICKETS = (
    TicketContent(
        center_name="Trung tâm Phục vụ hành chính công xã Hòa Sơn",
        display="A012",
        field_name="Hộ tịch",
        waiting_ahead=3,
        issued_at=datetime(2026, 11, 24, 8, 47),
    ),
    TicketContent(
        center_name="Trung tâm Phục vụ hành chính công xã Hòa Sơn",
        display="A013",
        field_name="Hộ tịch",
        waiting_ahead=1,
        issued_at=datetime(2026, 11, 24, 8, 49),
        priority_label="Người cao tuổi",
        counter_hint="Mời đến quầy số 1 hoặc số 2",
    ),
)


def write_screenshots(folder: Path) -> None:
    """Print each ticket to a file, decode the raster back and lay the results side by side."""
    folder.mkdir(parents=True, exist_ok=True)
    for width, paper in ((384, "58mm"), (576, "80mm")):
        decoded = []
        for index, content in enumerate(SCREENSHOT_TICKETS):
            job = folder / f".ticket-{paper}-{index}.bin"
            try:
                print_ticket(f"file:{job}", content, width_dots=width)
                data = job.read_bytes()
            finally:
                job.unlink(missing_ok=True)
            assert has_cut(data)
            [image] = decode_raster(data)
            decoded.append(image)
        gap = 24
        sheet = Image.new(
            "L",
            (
                sum(i.width for i in decoded) + gap * (len(decoded) + 1),
                max(i.height for i in decoded) + 2 * gap,
            ),
            205,
        )
        x = gap
        for image in decoded:
            sheet.paste(image.convert("L"), (x, gap))
            x += image.width + gap
        target = folder / f"ticket-{paper}.png"
        sheet.save(target, optimize=True)
        print(f"wrote {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--screenshots", type=Path, metavar="DIR", help="also write the decoded tickets as PNG"
    )
    args = parser.parse_args()
    n, warmup = args.iterations, args.warmup

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print("Machine")
    print(f"  CPU      {os.cpu_count()} cores, {platform.processor() or platform.machine()}")
    print(f"  Python   {platform.python_version()}, Pillow {PIL.__version__}")
    if load:
        print(f"  Load avg {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min)")
    print()

    # The very first ticket after start loads the fonts and python-escpos.
    layout.clear_font_cache()
    cold_render = timed(lambda: render_ticket(ticket(0), 576))
    cold_encode = timed(lambda: encode_raster_job(render_ticket(ticket(1), 576)))

    rows: list[tuple[str, list[float]]] = []
    for width in WIDTHS:
        for qr in (False, True):
            for i in range(warmup):
                render_ticket(ticket(i, qr), width)
            samples = [
                timed(lambda i=i, qr=qr, w=width: render_ticket(ticket(i, qr), w)) for i in range(n)
            ]
            label = f"render_ticket {width} dots" + (" + QR" if qr else "")
            rows.append((label, samples))
    for width in WIDTHS:
        images = [render_ticket(ticket(i), width) for i in range(n)]
        samples = [timed(lambda image=image: encode_raster_job(image)) for image in images]
        rows.append((f"encode (dummy printer) {width}", samples))

    tap_rows: list[tuple[str, list[float]]] = []
    for width in WIDTHS:
        delivered: list[float] = []
        returned: list[float] = []
        with PrinterRecorder(lifetime=600) as printer:
            for i in range(warmup):
                print_ticket(printer.url, ticket(i), width_dots=width)
            printer.wait_for(warmup)
            for i in range(n):
                started = time.perf_counter()
                print_ticket(printer.url, ticket(i), width_dots=width)
                returned.append((time.perf_counter() - started) * 1000)
                job = printer.wait_for(warmup + i + 1)[-1]
                delivered.append((job.finished_at - started) * 1000)
            jobs = printer.jobs()
        assert len(jobs) == warmup + n, "one connection per ticket"
        assert all(job.closed_by_client for job in jobs)
        assert decode_raster(jobs[-1].data)[0].width == width
        tap_rows.append((f"tap-to-bytes, TCP {width} dots", delivered))
        tap_rows.append((f"print_ticket returns, {width}", returned))

    print(f"Each figure: {n} measured calls after {warmup} warm-up calls (excluded).")
    print(f"First ticket after start (fonts, python-escpos loaded): render {cold_render:.1f} ms,")
    print(f"then render + encode of the second one {cold_encode:.1f} ms.")
    print()
    header = f"{'operation':<36}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    for label, samples in rows + tap_rows:
        print(
            f"{label:<36}{percentile(samples, 50):>9.2f}{percentile(samples, 95):>9.2f}"
            f"{max(samples):>9.2f}"
        )
    print()
    print("Targets")
    verdicts: list[bool] = []
    for label, samples in rows:
        if label.startswith("render_ticket"):
            p95 = percentile(samples, 95)
            met = p95 <= RENDER_P95_TARGET_MS
            verdicts.append(met)
            print(
                f"  {label:<34} p95 {p95:6.2f} ms (target <= {RENDER_P95_TARGET_MS:g} ms)  "
                f"{'met' if met else 'NOT MET'}"
            )
    for label, samples in tap_rows:
        if label.startswith("tap-to-bytes"):
            p95 = percentile(samples, 95)
            met = p95 <= TAP_P95_TARGET_MS
            verdicts.append(met)
            print(
                f"  {label:<34} p95 {p95:6.2f} ms (printing share of the {TAP_P95_TARGET_MS:g} ms "
                f"tap budget)  {'met' if met else 'NOT MET'}"
            )
    if args.screenshots:
        print()
        write_screenshots(args.screenshots)
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
