"""Test helper: a test fails when it logs an error it did not expect (qutebrowser's logfail)."""

from __future__ import annotations

import logging


class ErrorCatcher(logging.Handler):
    """Keeps every record at ERROR or above that reaches the root logger, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def summary(self) -> str:
        """The caught records, one line each, for the failure message."""
        return "\n".join(
            f"  {record.levelname} {record.name}: {record.getMessage()}" for record in self.records
        )
