"""The dossier list's query as the specialist changes it: piles, search, order, a scanned slip."""

from __future__ import annotations

from onestop_desk.gui.dossiers.data import ListQuery
from onestop_desk.gui.dossiers.list_state import ListState
from onestop_desk.services.dossier_list import DossierFilter


def _apply(state: ListState, query: ListQuery | None) -> ListQuery:
    assert query is not None
    state.query = query
    return query


def test_a_pile_comes_with_its_usual_order() -> None:
    state = ListState()
    assert (state.query.filter, state.query.sort, state.query.descending) == (
        DossierFilter.OPEN,
        "due_at",
        False,
    )
    returned = _apply(state, state.pick_filter(DossierFilter.RETURNED))
    assert (returned.sort, returned.descending) == ("received_at", True)
    late = _apply(state, state.pick_filter(DossierFilter.LATE))
    assert (late.filter, late.sort, late.descending) == (DossierFilter.LATE, "due_at", False)


def test_a_search_looks_through_every_dossier_and_clearing_it_comes_back() -> None:
    state = ListState()
    _apply(state, state.pick_filter(DossierFilter.SUPPLEMENT))
    found = _apply(state, state.search("pham van binh"))
    assert (found.filter, found.search, found.sort) == (
        DossierFilter.ALL,
        "pham van binh",
        "received_at",
    )
    narrower = _apply(state, state.search("pham van"))
    assert narrower.filter is DossierFilter.ALL  # still searching: the pile stays
    back = _apply(state, state.search(""))
    assert (back.filter, back.search, back.sort) == (DossierFilter.SUPPLEMENT, "", "due_at")
    assert state.search("") is None  # nothing changed: no read


def test_a_pile_picked_while_searching_stays_after_the_search() -> None:
    state = ListState()
    _apply(state, state.search("0001"))
    picked = _apply(state, state.pick_filter(DossierFilter.LATE))
    assert (picked.filter, picked.search) == (DossierFilter.LATE, "0001")
    after = _apply(state, state.search(""))
    assert after.filter is DossierFilter.LATE


def test_order_and_the_late_dossiers_only() -> None:
    state = ListState()
    assert state.sort_by("due_at", False) is None
    by_name = _apply(state, state.sort_by("applicant", True))
    assert (by_name.sort, by_name.descending) == ("applicant", True)
    soon = _apply(state, state.soon_late(("A", "B")))
    assert (soon.filter, soon.codes, soon.sort) == (DossierFilter.OPEN, ("A", "B"), "due_at")
    # The search box asked again with the same (empty) text leaves the late-only list.
    assert _apply(state, state.search("")).codes is None


def test_a_scanned_slip_shows_all_and_clearing_comes_back_to_the_pile() -> None:
    state = ListState()
    _apply(state, state.pick_filter(DossierFilter.DUE_TODAY))
    scanned = _apply(state, state.scan("000.24481.H15-261119-0001"))
    assert (scanned.filter, scanned.search) == (DossierFilter.ALL, "000.24481.H15-261119-0001")
    assert _apply(state, state.search("")).filter is DossierFilter.DUE_TODAY
