"""What every face and command opens first: paths, settings, logging and the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onestop_desk.config import Paths, Settings, database_url, load_settings, resolve_paths
from onestop_desk.db.database import Database
from onestop_desk.log import setup_logging
from onestop_desk.secrets import with_keyring_password


@dataclass
class AppContext:
    """The opened environment of one process."""

    paths: Paths
    settings: Settings
    database: Database

    def close(self) -> None:
        self.database.dispose()


def open_context(data_dir: Path | None = None, db_url: str | None = None) -> AppContext:
    """Resolve paths and settings, start logging and create (not yet connect) the database."""
    paths = resolve_paths(data_dir)
    paths.ensure()
    settings = load_settings(paths)
    setup_logging(paths.log_dir, settings.log.level)
    url = with_keyring_password(database_url(paths, settings, db_url))
    return AppContext(paths=paths, settings=settings, database=Database(url))
