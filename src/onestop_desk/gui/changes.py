"""The process's one change hub: every pane hears here that the database changed, here or elsewhere.

The hub owns the process's single ``ChangeWatcher`` (NOTIFY or SQLite polling, see live.py), so the
demo's three faces share one feed; a save made in this process is announced on the same signal, so
a pane refreshes the same way after its own save and after another PC's.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal

from onestop_desk.db.database import Database
from onestop_desk.gui.live import ChangeWatcher


class ChangeHub(QObject):
    """``sig_changed`` when the database changed; the watcher runs while someone holds the hub."""

    #: The database changed: another PC wrote (or may have: after a reconnect), or a save here.
    sig_changed = Signal()
    #: True when the change feed is connected, False while it tries to reconnect.
    sig_connection = Signal(bool)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.watcher = ChangeWatcher(database, self)
        self.watcher.sig_changed.connect(self.sig_changed)
        self.watcher.sig_connection.connect(self.sig_connection)
        self._holders: set[int] = set()
        self._known: set[int] = set()

    @property
    def connected(self) -> bool:
        """True while the change feed is up (the panes show it)."""
        return self.watcher.connected

    def hold(self, holder: QObject) -> None:
        """``holder`` wants to hear changes: the watcher starts with the first holder."""
        key = id(holder)
        if key in self._holders:
            return
        if key not in self._known:
            self._known.add(key)
            # A window that is destroyed without releasing lets go all the same.
            holder.destroyed.connect(lambda *_args: self._let_go(key, forget=True))
        self._holders.add(key)
        if len(self._holders) == 1:
            self.watcher.start()

    def release(self, holder: QObject) -> None:
        """``holder`` no longer listens: the watcher stops with the last holder."""
        self._let_go(id(holder), forget=False)

    def announce(self) -> None:
        """A save made in this process: every pane refreshes as after another PC's change."""
        self.sig_changed.emit()

    def _let_go(self, key: int, *, forget: bool) -> None:
        if forget:
            self._known.discard(key)
        if key not in self._holders:
            return
        self._holders.discard(key)
        if not self._holders:
            self.watcher.stop()


# One hub per open database; a process normally has one. Weak values: a hub nobody uses goes.
_hubs: weakref.WeakValueDictionary[int, ChangeHub] = weakref.WeakValueDictionary()


def change_hub(database: Database) -> ChangeHub:
    """The process's hub for ``database`` (made on first use, on the GUI thread)."""
    hub = _hubs.get(id(database))
    if hub is None or hub.database is not database:
        hub = ChangeHub(database)
        _hubs[id(database)] = hub
    return hub
