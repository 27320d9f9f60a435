"""Live updates for every face: a signal when another PC changes the database.

PostgreSQL: LISTEN on a dedicated connection whose socket the Qt event loop watches; after a
server restart it reconnects, re-LISTENs and asks for a full refresh. SQLite: polls data_version.
"""

from __future__ import annotations

import logging

import psycopg
from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from onestop_desk.db.database import Database
from onestop_desk.db.notify import PgListener, SqliteChangeProbe

log = logging.getLogger("onestop.gui.live")

SQLITE_POLL_MS = 200
PG_HEALTH_MS = 3000
RECONNECT_MS = 1000


class ChangeWatcher(QObject):
    """Emits ``sig_changed`` when the shared database changed (or may have: after reconnect)."""

    sig_changed = Signal()
    #: True when the watcher is connected, False while it tries to reconnect.
    sig_connection = Signal(bool)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._listener: PgListener | None = None
        self._probe: SqliteChangeProbe | None = None
        self._notifier: QSocketNotifier | None = None
        self.connected = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        if self._database.is_postgresql:
            self._timer.setInterval(PG_HEALTH_MS)
            self._connect_pg()
        else:
            self._timer.setInterval(SQLITE_POLL_MS)
            self._connect_sqlite()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._drop()

    # --- SQLite ---------------------------------------------------------------------------
    def _connect_sqlite(self) -> None:
        try:
            self._probe = SqliteChangeProbe(str(self._database.url.database))
        except Exception:
            log.warning("cannot open SQLite change probe", exc_info=True)
            self._set_connected(False)
            return
        self._set_connected(True)

    # --- PostgreSQL -----------------------------------------------------------------------
    def _connect_pg(self) -> bool:
        """Connect and LISTEN; False while the server cannot be reached."""
        try:
            self._listener = PgListener(self._database.url)
        except psycopg.Error as exc:
            log.info("change listener cannot connect yet: %s", str(exc).strip().splitlines()[0])
            self._listener = None
            self._set_connected(False)
            return False
        self._notifier = QSocketNotifier(self._listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_socket)
        was_disconnected = not self.connected
        self._set_connected(True)
        if was_disconnected:
            # Whatever happened while we were away is unknown: refresh everything.
            self.sig_changed.emit()
        return True

    def _on_socket(self) -> None:
        if self._listener is None:
            return
        try:
            changed = self._listener.poll()
        except psycopg.Error:
            log.warning("change listener lost its connection; reconnecting")
            self._lost()
            return
        if changed:
            self.sig_changed.emit()

    def _lost(self) -> None:
        self._drop()
        self._set_connected(False)
        self._timer.setInterval(RECONNECT_MS)

    def _drop(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        for source in (self._listener, self._probe):
            if source is not None:
                try:
                    source.close()
                except Exception:
                    log.debug("closing change source failed", exc_info=True)
        self._listener = None
        self._probe = None

    # --- both -----------------------------------------------------------------------------
    def _tick(self) -> None:
        if self._database.is_postgresql:
            if self._listener is None:
                if self._connect_pg():
                    self._timer.setInterval(PG_HEALTH_MS)
                return
            try:
                self._listener.check()
                if self._listener.poll():
                    self.sig_changed.emit()
            except psycopg.Error:
                log.warning("change listener health check failed; reconnecting")
                self._lost()
            return
        if self._probe is None:
            self._connect_sqlite()
            return
        try:
            if self._probe.poll():
                self.sig_changed.emit()
        except Exception:
            log.warning("SQLite change probe failed", exc_info=True)
            self._drop()
            self._set_connected(False)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.sig_connection.emit(connected)
