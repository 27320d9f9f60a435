"""Address entry on the post-2025 map: province → commune/ward pickers plus a free detail line."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

from onestop_desk.core.text import nfc, search_key

log = logging.getLogger("onestop.gui.reception")

_CODE_ROLE = Qt.ItemDataRole.UserRole + 1
_KEY_ROLE = Qt.ItemDataRole.UserRole + 2
_TYPE_WORDS = ("thành phố ", "đặc khu ", "phường ", "xã ", "tỉnh ")


@dataclass(frozen=True)
class Place:
    """A province or a commune/ward of the two-tier map in force since 1 July 2025."""

    code: int
    name: str  # as listed: "Thành phố Hà Nội", "Đắk Lắk", "Xã Hòa Sơn"
    in_address: (
        str  # as written inside an address: "thành phố Hà Nội", "tỉnh Đắk Lắk", "xã Hòa Sơn"
    )

    @property
    def key(self) -> str:
        """Diacritic-free key with the unit type, so "hoa son" and "xa hoa son" both match."""
        return search_key(self.in_address)

    @property
    def bare_key(self) -> str:
        """The key without the unit type, for sorting and for matching "Hòa Sơn" alone."""
        return _strip_type(self.key)


def _strip_type(key: str) -> str:
    for word in _TYPE_WORDS:
        folded = search_key(word) + " "
        if key.startswith(folded):
            return key[len(folded) :]
    return key


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


@cache
def provinces() -> tuple[Place, ...]:
    """The 34 provinces and centrally-run cities, sorted by name without "Thành phố"."""
    from vietnam_provinces import Province, VietNamDivisionType

    places = []
    for p in Province.iter_all():
        name = nfc(str(p.name))
        if p.division_type == VietNamDivisionType.TINH:
            in_address = f"tỉnh {name}"
        else:
            in_address = _lower_first(name)
        places.append(Place(int(p.code), name, in_address))
    return tuple(sorted(places, key=lambda p: p.bare_key))


@cache
def wards_of(province_code: int) -> tuple[Place, ...]:
    """The communes, wards and special zones of one province, sorted by bare name."""
    from vietnam_provinces import ProvinceCode, Ward

    places = [
        Place(int(w.code), nfc(str(w.name)), _lower_first(nfc(str(w.name))))
        for w in Ward.iter_by_province(ProvinceCode(province_code))
    ]
    return tuple(sorted(places, key=lambda p: (p.bare_key, p.key)))


def province_of_ward(ward_code: int) -> int | None:
    """The province code of a commune/ward code, or None when the code is unknown."""
    from vietnam_provinces import Ward, WardCode

    try:
        return int(Ward.from_code(WardCode(ward_code)).province_code)
    except ValueError:
        return None


class _PlaceFilter(QSortFilterProxyModel):
    """Keeps the places whose diacritic-free key holds every typed word."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = search_key(text).split()
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802 - Qt's name
        key = str(self.sourceModel().index(row, 0, parent).data(_KEY_ROLE) or "")
        return all(word in key for word in self._words)


class PlaceCombo(QComboBox):
    """An editable list of places: type a few letters, with or without diacritics, and pick."""

    #: The chosen place changed (a ``Place`` or None).
    sig_place_changed = Signal(object)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._places: tuple[Place, ...] = ()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._line().setPlaceholderText(placeholder)
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self._filter = _PlaceFilter(self)
        self._filter.setSourceModel(self._model)
        completer = QCompleter(self._filter, self)
        # The proxy does the (diacritic-free, any-word) filtering; the completer only shows it.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self._line().textEdited.connect(self._typed)
        self._line().editingFinished.connect(self.resolve)
        self.currentIndexChanged.connect(lambda _i: self.sig_place_changed.emit(self.place()))

    def set_places(self, places: Sequence[Place]) -> None:
        """Replace the list; nothing is chosen afterwards."""
        self.blockSignals(True)
        self._places = tuple(places)
        self._model.clear()
        for place in self._places:
            item = QStandardItem(place.name)
            item.setData(place.code, _CODE_ROLE)
            item.setData(place.key, _KEY_ROLE)
            self._model.appendRow(item)
        self.setCurrentIndex(-1)
        self.clearEditText()
        self._filter.set_text("")
        self.blockSignals(False)
        self.sig_place_changed.emit(None)

    def places(self) -> tuple[Place, ...]:
        return self._places

    def place(self) -> Place | None:
        """The chosen place; None when nothing is chosen or the text was edited since."""
        index = self.currentIndex()
        if index < 0 or index >= len(self._places):
            return None
        place = self._places[index]
        return place if self.currentText() == place.name else None

    def set_place(self, code: int | None) -> None:
        """Choose the place with this code (None clears the choice)."""
        row = next((i for i, p in enumerate(self._places) if p.code == code), -1)
        self.setCurrentIndex(row)
        if row < 0:
            self.clearEditText()

    def unresolved_text(self) -> str:
        """Text typed that names no place of the list ("" when empty or resolved)."""
        text = self.currentText().strip()
        return "" if not text or self.place() is not None else text

    def resolve(self) -> None:
        """Turn typed text into a choice when it names exactly one place."""
        text = self.currentText().strip()
        if not text:
            if self.currentIndex() >= 0:
                self.setCurrentIndex(-1)
            return
        if self.place() is not None:
            return
        key = search_key(text)
        exact = [i for i, p in enumerate(self._places) if key in (p.key, p.bare_key)]
        words = key.split()
        matching = [i for i, p in enumerate(self._places) if all(w in p.key for w in words)]
        found = exact if len(exact) == 1 else matching
        if len(found) == 1:
            self.setCurrentIndex(found[0])
            self.setEditText(self._places[found[0]].name)
        else:
            # Not a place (yet): keep the text so the specialist sees what is wrong.
            self.sig_place_changed.emit(None)

    def _line(self) -> QLineEdit:
        line = self.lineEdit()
        assert line is not None  # the combo is editable from __init__ on
        return line

    def _typed(self, text: str) -> None:
        self._filter.set_text(text)
        completer = self.completer()
        assert completer is not None  # set in __init__
        if text.strip() and self._filter.rowCount() > 0:
            completer.complete()
        else:
            popup = completer.popup()
            if popup is not None:
                popup.hide()
        self.sig_place_changed.emit(self.place())


class AddressPicker(QWidget):
    """Province and commune/ward from the official list, then house number, street, village.

    The value is one line: "Thôn 3, xã Hòa Sơn, tỉnh Đắk Lắk". A line that does not end with a
    listed commune and province (an old address printed on an ID card) stays as it is in the
    detail line.
    """

    #: The composed address changed.
    sig_changed = Signal()

    def __init__(self, *, home_province: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._home_province = home_province
        self._loading = False
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        self.province_combo = PlaceCombo(self.tr("Tỉnh, thành phố"))
        self.province_combo.setToolTip(
            self.tr("Gõ vài chữ tên tỉnh, có dấu hay không dấu đều được")
        )
        self.ward_combo = PlaceCombo(self.tr("Xã, phường, đặc khu"))
        self.ward_combo.setToolTip(
            self.tr("Đơn vị hành chính sau ngày 1/7/2025; gõ vài chữ tên rồi chọn trong danh sách")
        )
        self.detail_edit = QLineEdit()
        self.detail_edit.setPlaceholderText(self.tr("Số nhà, đường, thôn, xóm, tổ dân phố…"))
        self.note_label = QLabel()
        self.note_label.setObjectName("addressNote")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        grid.addWidget(self.province_combo, 0, 0)
        grid.addWidget(self.ward_combo, 0, 1)
        grid.addWidget(self.detail_edit, 1, 0, 1, 2)
        grid.addWidget(self.note_label, 2, 0, 1, 2)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        self.setTabOrder(self.province_combo, self.ward_combo)
        self.setTabOrder(self.ward_combo, self.detail_edit)

        self.province_combo.set_places(provinces())
        self.province_combo.sig_place_changed.connect(self._province_changed)
        self.ward_combo.sig_place_changed.connect(self._emit_changed)
        self.ward_combo.setEnabled(False)
        self.detail_edit.textChanged.connect(self._emit_changed)
        self._reset_to_home()

    # --- value ------------------------------------------------------------------------------
    def value(self) -> str:
        """The address as one line; "" while only the province is chosen."""
        detail = " ".join(self.detail_edit.text().split())
        ward = self.ward_combo.place()
        province = self.province_combo.place()
        if not detail and ward is None:
            return ""
        parts = [detail] if detail else []
        if ward is not None:
            parts.append(ward.in_address)
        if province is not None:
            parts.append(province.in_address)
        return ", ".join(parts)

    def set_value(self, text: str) -> None:
        """Show an address: split into detail, commune and province when it ends with them."""
        self._loading = True
        try:
            text = " ".join(nfc(text).split())
            if not text:
                self.detail_edit.clear()
                self._reset_to_home()
                return
            parsed = _split_address(text)
            if parsed is None:
                self.province_combo.set_place(None)
                self.detail_edit.setText(text)
                self.note_label.setText(
                    self.tr(
                        "Địa chỉ giữ nguyên như đã ghi. Muốn ghi theo đơn vị hành chính mới thì"
                        " chọn tỉnh, xã ở trên và sửa dòng này."
                    )
                )
                self.note_label.setVisible(True)
            else:
                detail, ward, province = parsed
                self.province_combo.set_place(province.code)
                self.ward_combo.set_place(ward.code)
                self.detail_edit.setText(detail)
                self.note_label.hide()
        finally:
            self._loading = False
        self.sig_changed.emit()

    def problem(self) -> str | None:
        """What keeps the pickers from making an address (typed text that names no place)."""
        if text := self.province_combo.unresolved_text():
            return self.tr("Không có tỉnh, thành phố “{0}”; chọn trong danh sách.").format(text)
        if text := self.ward_combo.unresolved_text():
            province = self.province_combo.place()
            where = province.in_address if province else self.tr("tỉnh đã chọn")
            return self.tr("Không có xã, phường “{0}” thuộc {1}; chọn trong danh sách.").format(
                text, where
            )
        return None

    def inputs(self) -> list[QWidget]:
        """The focusable parts, in Tab order."""
        return [self.province_combo, self.ward_combo, self.detail_edit]

    # --- internals --------------------------------------------------------------------------
    def _reset_to_home(self) -> None:
        self.province_combo.set_place(self._home_province)
        self.note_label.hide()

    def _province_changed(self, province: Place | None) -> None:
        current = self.ward_combo.places()
        wanted = wards_of(province.code) if province is not None else ()
        if current != wanted:
            self.ward_combo.set_places(wanted)
        self.ward_combo.setEnabled(province is not None)
        self._emit_changed()

    def _emit_changed(self) -> None:
        if self.province_combo.place() is not None or self.ward_combo.place() is not None:
            self.note_label.hide()
        if not self._loading:
            self.sig_changed.emit()


def _split_address(text: str) -> tuple[str, Place, Place] | None:
    """(detail, ward, province) when ``text`` ends with a listed commune and its province."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) < 2:
        return None
    province_key = search_key(parts[-1])
    province = next(
        (p for p in provinces() if province_key in (p.key, p.bare_key, search_key(p.name))), None
    )
    if province is None:
        return None
    ward_key = search_key(parts[-2])
    # The unit type is required for the commune: "Hòa Sơn" alone could be a xã or a phường.
    ward = next((w for w in wards_of(province.code) if ward_key == w.key), None)
    if ward is None:
        return None
    return ", ".join(p for p in parts[:-2] if p), ward, province
