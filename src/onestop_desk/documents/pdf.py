"""PDFs of the filled .docx via LibreOffice headless, page pictures via poppler, the OS fallback.

The .docx is the record; a PDF is what prints the same on every PC. Each conversion runs
LibreOffice with a private, throw-away profile so two conversions at once, or a LibreOffice the
user has open, never wait on each other's profile lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Literal

from onestop_desk.documents._docx import OutputUnwritable
from onestop_desk.errors import KnownError

log = logging.getLogger("onestop.documents")

OFFICE_NAMES = ("soffice", "libreoffice")
# Where the LibreOffice installer puts it on Windows; soffice.com waits and writes to the console.
_WINDOWS_PROGRAM = Path("LibreOffice", "program")
_WINDOWS_EXECUTABLES = ("soffice.com", "soffice.exe")
_WINDOWS_ROOTS = ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)", "LOCALAPPDATA")
_MACOS_OFFICE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
INSTALL_HINT = (
    "Hãy cài LibreOffice (miễn phí, tải tại libreoffice.org; trên Debian/Ubuntu: "
    "apt-get install libreoffice-writer) rồi thử lại, hoặc mở tệp .docx bằng Word để in."
)
_TAIL = 400  # characters of LibreOffice's output kept in the log
PAGE_TIMEOUT = 60  # seconds for pdftoppm to draw one page


class OfficeNotInstalled(KnownError):
    """LibreOffice is not installed (or not where we look), so no PDF can be made."""


class PdfConversionFailed(KnownError):
    """LibreOffice ran but gave no PDF (a broken document, a crash, no disk space...)."""


class PdfConversionTimeout(PdfConversionFailed):
    """LibreOffice did not finish in time and was stopped."""


class PdfToolMissing(KnownError):
    """pdftoppm (poppler-utils) is missing, so no picture of the page can be made."""


class OpenWithSystemFailed(KnownError):
    """The operating system has no program to open or print this kind of file."""


def find_office() -> Path | None:
    """LibreOffice's ``soffice``: on PATH, else where its installers put it; None if absent."""
    for name in OFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    if sys.platform == "win32":
        for variable in _WINDOWS_ROOTS:
            root = os.environ.get(variable)
            if not root:
                continue
            program = Path(root) / _WINDOWS_PROGRAM
            if variable == "LOCALAPPDATA":  # a per-user install
                program = Path(root) / "Programs" / _WINDOWS_PROGRAM
            for executable in _WINDOWS_EXECUTABLES:
                if (program / executable).is_file():
                    return program / executable
    elif sys.platform == "darwin" and _MACOS_OFFICE.is_file():
        return _MACOS_OFFICE
    return None


def to_pdf(docx: Path, out_dir: Path, timeout: float = 120) -> Path:
    """Converts ``docx`` to ``out_dir/<same name>.pdf`` with LibreOffice; returns the PDF's path.

    Raises OfficeNotInstalled, PdfConversionTimeout or PdfConversionFailed (Vietnamese messages).
    """
    office = find_office()
    if office is None:
        raise OfficeNotInstalled(
            "Máy này chưa cài LibreOffice nên chưa tạo được bản PDF để in.", INSTALL_HINT
        )
    if not docx.is_file():
        raise PdfConversionFailed(
            f"Không tìm thấy tệp {docx} để chuyển sang PDF.",
            "Hãy tạo lại giấy tờ rồi thử lại.",
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputUnwritable(
            f"Không tạo được thư mục {out_dir} để ghi bản PDF: {exc.strerror or exc}.",
            "Hãy chọn thư mục khác có quyền ghi.",
        ) from exc
    pdf = out_dir / f"{docx.stem}.pdf"
    # A PDF left from an earlier run would pass for this one's if LibreOffice wrote nothing.
    try:
        pdf.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputUnwritable(
            f"Không ghi đè được {pdf}: {exc.strerror or exc}.",
            "Hãy đóng tệp PDF nếu nó đang mở trong chương trình đọc PDF rồi thử lại.",
        ) from exc
    started = time.perf_counter()
    profile = Path(tempfile.mkdtemp(prefix="onestop-lo-"))
    try:
        command = [
            str(office),
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx),
        ]
        output = _run(command, timeout, docx)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        log.warning("LibreOffice made no PDF of %s: %s", docx, output[-_TAIL:])
        raise PdfConversionFailed(
            f"LibreOffice không tạo được bản PDF của {docx.name}.",
            "Hãy mở tệp .docx bằng Word hoặc LibreOffice để kiểm tra và in trực tiếp; "
            "nếu ổ đĩa đầy, hãy giải phóng dung lượng rồi thử lại.",
        )
    log.info("PDF %s made in %.1f s", pdf, time.perf_counter() - started)
    return pdf


def _run(command: list[str], timeout: float, docx: Path) -> str:
    """Runs LibreOffice and returns what it printed; on timeout stops it and all it started."""
    try:
        # soffice is a launcher for soffice.bin: in a group of their own, both can be stopped.
        if sys.platform == "win32":
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                creationflags=subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW,
            )
        else:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    except OSError as exc:
        raise OfficeNotInstalled(
            f"Không chạy được LibreOffice ({command[0]}): {exc.strerror or exc}.", INSTALL_HINT
        ) from exc
    try:
        raw, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise PdfConversionTimeout(
            f"LibreOffice chưa chuyển xong {docx.name} sang PDF sau {timeout:g} giây "
            "nên đã bị dừng.",
            "Máy có thể đang bận; hãy thử lại, hoặc mở tệp .docx bằng Word để in.",
        ) from None
    return raw.decode(errors="replace") if raw else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if sys.platform == "win32":
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)],
            capture_output=True,
            check=False,
        )
    else:
        with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
            os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def open_with_system(path: Path, verb: Literal["open", "print"] = "open") -> None:
    """Hands the file to the system: Windows opens or prints it with its program (Word for a
    .docx); elsewhere it opens in the desktop's program (xdg-open / open), to print from there."""
    if sys.platform == "win32":
        try:
            os.startfile(str(path), verb)
        except OSError as exc:
            action = "in" if verb == "print" else "mở"
            raise OpenWithSystemFailed(
                f"Windows không {action} được {path.name}: {exc.strerror or exc}.",
                "Hãy cài Word hoặc LibreOffice (để mở .docx) hay một chương trình đọc PDF, "
                "rồi thử lại.",
            ) from exc
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    program = shutil.which(opener)
    if program is None:
        raise OpenWithSystemFailed(
            f"Không tìm thấy lệnh {opener} để mở {path.name}.",
            "Hãy mở tệp bằng tay từ thư mục chứa nó "
            "(trên Linux cài gói xdg-utils để chương trình tự mở được).",
        )
    try:
        process = subprocess.Popen(
            [program, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise OpenWithSystemFailed(
            f"Không chạy được {opener} để mở {path.name}: {exc.strerror or exc}.",
            "Hãy mở tệp bằng tay từ thư mục chứa nó.",
        ) from exc
    # Reaped in the background: the caller does not wait for the viewer, and no zombie stays.
    threading.Thread(target=process.wait, name="open-with-system", daemon=True).start()


def pdf_page_png(pdf: Path, page: int, out: Path, dpi: int = 100) -> Path:
    """One page (from 1) of ``pdf`` as a PNG at ``dpi``, written to ``out``; returns ``out``."""
    if page < 1:
        raise ValueError(f"pages count from 1, not {page}")
    if out.suffix.lower() != ".png":
        raise ValueError(f"the picture is a .png file, not {out.name}")
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PdfToolMissing(
            "Không tìm thấy chương trình pdftoppm để tạo ảnh xem trước trang PDF.",
            "Trên Debian/Ubuntu cài gói poppler-utils (apt-get install poppler-utils); "
            "vẫn có thể mở tệp PDF để xem.",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    # -singlefile writes exactly <root>.png instead of numbering the pages.
    command = [tool, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    try:
        result = subprocess.run(
            [*command, str(pdf), str(out.with_suffix(""))],
            capture_output=True,
            text=True,
            check=False,
            timeout=PAGE_TIMEOUT,
        )
        problem = result.stderr.strip()[-_TAIL:] if result.returncode != 0 else ""
    except subprocess.TimeoutExpired:
        problem = f"quá {PAGE_TIMEOUT} giây"
    if problem or not out.is_file():
        raise PdfConversionFailed(
            f"Không tạo được ảnh trang {page} của {pdf.name}: {problem or 'không có ảnh'}.",
            "Kiểm tra tệp PDF có tồn tại, đủ số trang và mở được không.",
        )
    return out
