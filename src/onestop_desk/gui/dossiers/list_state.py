"""What the dossier list is asked to show, and how filters, search, order and a scan change it.

No Qt here: the pane turns each change into a read. A search looks through every dossier (a
citizen asking about theirs); clearing it comes back to the pile shown before.
"""

from __future__ import annotations

from onestop_desk.gui.dossiers.data import ListQuery
from onestop_desk.services.dossier_list import DossierFilter

#: Piles that stay small sort by due time; the history sorts newest first.
_DEFAULT_SORT = {
    DossierFilter.RETURNED: ("received_at", True),
    DossierFilter.ALL: ("received_at", True),
}


def default_sort(which: DossierFilter) -> tuple[str, bool]:
    """The usual order of a pile: (sort key, descending)."""
    return _DEFAULT_SORT.get(which, ("due_at", False))


class ListState:
    """The list's current query; each method returns the next one (None: nothing changes)."""

    def __init__(self) -> None:
        self.query = ListQuery()
        self._filter_before_search: DossierFilter | None = None

    def pick_filter(self, which: DossierFilter) -> ListQuery:
        """Another pile; its usual order comes with it."""
        if self.query.search:
            self._filter_before_search = None  # chosen while searching: it stays
        sort, descending = default_sort(which)
        return ListQuery(which, self.query.search, sort, descending, codes=None)

    def soon_late(self, codes: tuple[str, ...]) -> ListQuery:
        """Just the dossiers about to be late, soonest first."""
        return ListQuery(DossierFilter.OPEN, "", "due_at", False, codes=codes)

    def sort_by(self, key: str, descending: bool) -> ListQuery | None:
        q = self.query
        if (key, descending) == (q.sort, q.descending):
            return None
        return ListQuery(q.filter, q.search, key, descending, q.codes)

    def search(self, text: str) -> ListQuery | None:
        """The query for the text typed in the search box."""
        q = self.query
        if text == q.search and q.codes is None:
            return None
        which, sort, descending = q.filter, q.sort, q.descending
        if text and not q.search:
            # The counts on the filter buttons narrow the search down.
            self._filter_before_search = which
            which = DossierFilter.ALL
            sort, descending = default_sort(which)
        elif not text and self._filter_before_search is not None:
            which = self._filter_before_search
            sort, descending = default_sort(which)
            self._filter_before_search = None
        return ListQuery(which, text, sort, descending, None)

    def scan(self, code: str) -> ListQuery:
        """A scanned slip: whatever pile was shown, its dossier is in "all"."""
        q = self.query
        if not q.search:
            self._filter_before_search = q.filter
        sort, descending = default_sort(DossierFilter.ALL)
        return ListQuery(DossierFilter.ALL, code, sort, descending, None)
