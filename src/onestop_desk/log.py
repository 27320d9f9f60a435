"""Logging: one named logger per subsystem, rotating files in the platform log folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s"

db = logging.getLogger("onestop.db")
services = logging.getLogger("onestop.services")
cli = logging.getLogger("onestop.cli")
gui = logging.getLogger("onestop.gui")

_configured: Path | None = None


def log_file() -> Path | None:
    """The file logs go to, or None before ``setup_logging``."""
    return _configured


def setup_logging(log_dir: Path, level: str = "INFO") -> Path:
    """Send the program's logs to ``log_dir/onestop-desk.log`` (5 files of 2 MB kept)."""
    global _configured  # noqa: PLW0603 - logging is process-wide by nature
    log_file = log_dir / "onestop-desk.log"
    if _configured == log_file:
        return log_file
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger("onestop")
    for old in list(root.handlers):
        if isinstance(old, logging.handlers.RotatingFileHandler):
            root.removeHandler(old)
            old.close()
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    _configured = log_file
    return log_file
