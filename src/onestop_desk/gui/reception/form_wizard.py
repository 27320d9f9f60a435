"""The guided declaration (tờ khai): a step per form section, checked as it goes."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from onestop_desk.core.forms import FormDefinition, Section, derive, validate
from onestop_desk.gui.reception import style
from onestop_desk.gui.reception.actions import wizard_actions
from onestop_desk.gui.reception.address import PlaceCombo
from onestop_desk.gui.reception.form_fields import (
    LABEL_WIDTH,
    DateEdit,
    FieldEditor,
    WizardStep,
    address_source,
    copy_button,
)
from onestop_desk.gui.widgets import bundled_font_family, restyle, scaled

__all__ = ["DateEdit", "FormWizard"]

log = logging.getLogger("onestop.gui.reception")


class FormWizard(QWidget):
    """A declaration form filled step by step, from the keyboard, with the form's own checks.

    ``values`` are the starting values by full field id (``mother.full_name``), e.g. from
    ``core.forms.defaults_from_applicant``; fields left out start at their fixed default.
    ``home_province`` (a province code) is preselected in empty address pickers.
    """

    #: Any edit; carries ``values()`` (for drafts).
    sig_changed = Signal(dict)
    #: Finish passed every check; carries ``values()``.
    sig_finished = Signal(dict)
    #: The step on show changed (its index).
    sig_step_changed = Signal(int)

    def __init__(
        self,
        form: FormDefinition,
        values: Mapping[str, str] | None = None,
        *,
        today: Callable[[], date] = date.today,
        home_province: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self._today = today
        self._home_province = home_province
        self._loading = False
        self._current = 0
        self._reached = 0  # the furthest step shown: the step list lets you jump back to it
        self._steps: list[WizardStep] = []
        self._editors: dict[str, FieldEditor] = {}
        self._derived_by_source = {d.source: d for d in form.derived}
        self._errors_by_step: dict[int, int] = {}

        font = QFont(self.font())
        font.setFamily(bundled_font_family())
        self.setFont(font)
        self.setStyleSheet(style.sheet("form"))
        self._build()
        self._create_actions()

        initial = {f.id: f.default for f in form.fields() if f.default is not None}
        initial.update(values or {})
        self.set_values(initial)
        self.go_to_step(0)

    # --- public API -------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        """Every field by full id; the fields of a section marked "not declared" are empty."""
        out: dict[str, str] = {}
        for step in self._steps:
            for editor in step.editors:
                out[editor.spec.id] = "" if step.skipped else editor.value()
        return out

    def set_values(self, values: Mapping[str, str]) -> None:
        """Put values in the fields (a draft); unknown keys are ignored, others left alone."""
        self._loading = True
        try:
            for key, value in values.items():
                editor = self._editors.get(key)
                if editor is None:
                    log.debug("form %s has no field %s", self.form.id, key)
                    continue
                editor.set_value(value)
        finally:
            self._loading = False
        self._refresh_derived()

    def current_step(self) -> int:
        return self._current

    def step_count(self) -> int:
        return len(self._steps)

    def go_to_step(self, index: int) -> None:
        """Show step ``index`` (no checks: Next and Finish do those) and focus its first field."""
        index = max(0, min(index, len(self._steps) - 1))
        self._current = index
        self._reached = max(self._reached, index)
        self.stack.setCurrentIndex(index)
        self.message_label.clear()
        self._update_chrome()
        step = self._steps[index]
        if step.skipped and step.skip_box is not None:
            step.skip_box.setFocus(Qt.FocusReason.OtherFocusReason)
        elif step.inputs():
            step.inputs()[0].setFocus(Qt.FocusReason.OtherFocusReason)
        self.sig_step_changed.emit(index)

    def next_step(self) -> bool:
        """Check the step on show; move on (or finish on the last step) when it passes."""
        problems = self._problems(self._steps[self._current])
        self._show_problems(self._current, problems)
        if problems:
            return False
        if self._current == len(self._steps) - 1:
            return self.finish()
        self.go_to_step(self._current + 1)
        return True

    def previous_step(self) -> None:
        if self._current > 0:
            self.go_to_step(self._current - 1)

    def finish(self) -> bool:
        """Check every step; emit ``sig_finished`` or show the first step that needs fixing."""
        first_bad: int | None = None
        for index, step in enumerate(self._steps):
            problems = self._problems(step)
            self._show_problems(index, problems, focus=False)
            if problems and first_bad is None:
                first_bad = index
        if first_bad is not None:
            total = sum(self._errors_by_step.values())
            self.go_to_step(first_bad)
            self._show_problems(first_bad, self._problems(self._steps[first_bad]))
            self.message_label.setText(
                self.tr("Tờ khai còn {0} chỗ cần sửa; các bước có chỗ sai được tô đỏ.").format(
                    total
                )
            )
            return False
        self.sig_finished.emit(self.values())
        return True

    def errors(self) -> dict[str, str]:
        """The messages on show under the fields, by field id."""
        return {
            field_id: editor.error.text()
            for field_id, editor in self._editors.items()
            if not editor.error.isHidden()
        }

    def editor_widget(self, field_id: str) -> QWidget:
        """The input widget of a field (an ``AddressPicker`` for addresses)."""
        return self._editors[field_id].widget

    def derived_text(self, field_id: str) -> str:
        """The derived line shown under a field ("" when none)."""
        editor = self._editors[field_id]
        return editor.derived.text() if not editor.derived.isHidden() else ""

    def skip_box(self, index: int) -> QCheckBox | None:
        """The "not declared" box of an optional step, None for a required one."""
        return self._steps[index].skip_box

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        base = self.font()
        root = QVBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 10)
        root.setSpacing(8)

        self.title_label = QLabel(self.form.title)
        self.title_label.setObjectName("formTitle")
        self.title_label.setFont(scaled(base, 1.25, bold=True))
        root.addWidget(self.title_label)

        strip = QHBoxLayout()
        strip.setSpacing(4)
        self.step_buttons: list[QToolButton] = []
        for index, section in enumerate(self.form.sections):
            button = QToolButton()
            button.setProperty("role", "step")
            button.setText(f"{index + 1}. {section.title}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _c=False, i=index: self._step_clicked(i))
            strip.addWidget(button)
            self.step_buttons.append(button)
        strip.addStretch(1)
        root.addLayout(strip)

        self.progress = QProgressBar()
        self.progress.setObjectName("stepBar")
        self.progress.setRange(0, len(self.form.sections))
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        root.addWidget(self.progress)

        self.step_label = QLabel()
        self.step_label.setObjectName("stepCaption")
        self.step_label.setFont(scaled(base, 1.15, bold=True))
        root.addWidget(self.step_label)

        self.stack = QStackedWidget()
        for section in self.form.sections:
            self.stack.addWidget(self._build_page(section))
        root.addWidget(self.stack, 1)

        self.message_label = QLabel()
        self.message_label.setObjectName("stepMessage")
        self.message_label.setWordWrap(True)
        root.addWidget(self.message_label)

        footer = QHBoxLayout()
        self.keys_label = QLabel(
            self.tr(
                "Enter: sang ô tiếp theo · Alt+←/Alt+→: lùi/tiến một bước · "
                "Ctrl+Enter: tiếp tục hoặc hoàn tất"
            )
        )
        self.keys_label.setObjectName("keysHint")
        self.keys_label.setWordWrap(True)
        self.back_button = QPushButton(self.tr("← Quay lại"))
        self.back_button.setToolTip(self.tr("Về bước trước (Alt+←)"))
        self.back_button.setMinimumHeight(36)
        self.back_button.clicked.connect(self.previous_step)
        self.next_button = QPushButton()
        self.next_button.setMinimumHeight(36)
        self.next_button.setMinimumWidth(150)
        self.next_button.setFont(scaled(base, 1.0, bold=True))
        self.next_button.clicked.connect(self.next_step)
        footer.addWidget(self.keys_label, 1)
        footer.addWidget(self.back_button)
        footer.addWidget(self.next_button)
        root.addLayout(footer)

    def _build_page(self, section: Section) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field, not to the frame
        page = QFrame()
        page.setObjectName("stepPage")
        grid = QGridLayout(page)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        grid.setColumnMinimumWidth(0, 160)
        # Inputs have a useful maximum width; space beyond it goes to an empty column on the
        # right, not between the labels and their fields.
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(2, 1)

        editors = [FieldEditor(f, self, self._home_province) for f in section.fields]
        step = WizardStep(section, editors, scroll)
        row = 0
        if not section.required:
            step.skip_box = QCheckBox(self.tr("Không khai mục này"))
            step.skip_box.setToolTip(
                self.tr(
                    "Đánh dấu khi không có thông tin về “{0}”; các ô của mục này bỏ trống."
                ).format(section.title)
            )
            step.skip_box.toggled.connect(lambda on, s=step: self._skip_toggled(s, on))
            step.skip_box.installEventFilter(self)  # Enter on it means Next
            grid.addWidget(step.skip_box, row, 0, 1, 2)
            row += 1
        for editor in editors:
            source = address_source(self._editors.values(), editor)
            self._editors[editor.spec.id] = editor
            # Short labels on one line (with their star); long ones wrap within the column.
            needed = editor.label.fontMetrics().horizontalAdvance(editor.spec.label + " *") + 6
            editor.label.setMinimumWidth(min(needed, LABEL_WIDTH))
            editor.label.setMaximumWidth(LABEL_WIDTH)
            grid.addWidget(
                editor.label, row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
            )
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(editor.widget)
            column.addWidget(editor.derived)
            column.addWidget(editor.error)
            column.addWidget(editor.help)
            if source is not None:
                column.addWidget(
                    copy_button(self, self.form, editor, source), 0, Qt.AlignmentFlag.AlignLeft
                )
            grid.addLayout(column, row, 1)
            row += 1
            for widget in editor.inputs():
                widget.installEventFilter(self)
        grid.setRowStretch(row, 1)
        chain: list[QWidget] = [step.skip_box] if step.skip_box is not None else []
        chain += step.inputs()
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)
        scroll.setWidget(page)
        self._steps.append(step)
        return scroll

    def _create_actions(self) -> None:
        self.back_action, self.next_action = wizard_actions(
            self, previous=self.previous_step, following=self.next_step
        )

    def _update_chrome(self) -> None:
        count = len(self._steps)
        step = self._steps[self._current]
        self.step_label.setText(
            self.tr("Bước {0}/{1}: {2}").format(self._current + 1, count, step.section.title)
        )
        self.progress.setValue(self._current + 1)
        last = self._current == count - 1
        self.next_button.setText(self.tr("Hoàn tất tờ khai ✓") if last else self.tr("Tiếp theo →"))
        self.next_button.setToolTip(
            self.tr("Kiểm tra toàn bộ tờ khai (Ctrl+Enter)")
            if last
            else self.tr("Kiểm tra bước này rồi sang bước sau (Alt+→ hoặc Ctrl+Enter)")
        )
        self.back_button.setEnabled(self._current > 0)
        for index, button in enumerate(self.step_buttons):
            s = self._steps[index]
            if index == self._current:
                state = "current"
            elif self._errors_by_step.get(index):
                state = "error"
            elif s.skipped:
                state = "skipped"
            elif index <= self._reached:
                state = "done"
            else:
                state = "todo"
            restyle(button, "state", state)
            button.setEnabled(index <= self._reached)
            suffix = self.tr(" (không khai)") if s.skipped else ""
            button.setText(f"{index + 1}. {s.section.title}{suffix}")

    # --- behaviour --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and not plain and isinstance(watched, QWidget):
                self._enter_pressed(watched)
                return True
        return super().eventFilter(watched, event)

    def _enter_pressed(self, widget: QWidget) -> None:
        """Enter moves to the next field; in the step's last field it means Next."""
        if isinstance(widget, PlaceCombo):
            widget.resolve()
        inputs = [w for w in self._steps[self._current].inputs() if w.isEnabled()]
        if widget not in inputs or widget is inputs[-1]:
            self.next_step()
            return
        inputs[inputs.index(widget) + 1].setFocus(Qt.FocusReason.TabFocusReason)

    def _step_clicked(self, index: int) -> None:
        if index <= self._reached:
            self.go_to_step(index)

    def _skip_toggled(self, step: WizardStep, skipped: bool) -> None:
        for editor in step.editors:
            editor.set_enabled(not skipped)
            if skipped:
                editor.show_error(None)
        index = self._steps.index(step)
        self._errors_by_step.pop(index, None)
        if index == self._current:
            self.message_label.clear()
        self._update_chrome()
        if not self._loading:
            self.sig_changed.emit(self.values())

    def _field_edited(self, editor: FieldEditor) -> None:
        if editor.spec.id in self._derived_by_source:
            self._refresh_derived()
        if self._loading:
            return
        index = next(i for i, s in enumerate(self._steps) if editor in s.editors)
        remaining = sum(1 for e in self._steps[index].editors if not e.error.isHidden())
        if remaining != self._errors_by_step.get(index, 0):
            self._errors_by_step[index] = remaining
            if not remaining and index == self._current:
                self.message_label.clear()
            self._update_chrome()
        self.sig_changed.emit(self.values())

    def _refresh_derived(self) -> None:
        derived = derive(self.form, self.values())
        for source, item in self._derived_by_source.items():
            editor = self._editors.get(source)
            if editor is None:
                continue
            text = derived.get(item.id, "")
            editor.derived.setText(f"{item.label}: {text}" if text else "")
            editor.derived.setVisible(bool(text))

    def _problems(self, step: WizardStep) -> dict[str, str]:
        if step.skipped:
            return {}
        everything = validate(self.form, self.values(), today=self._today())
        problems: dict[str, str] = {}
        for editor in step.editors:
            message = editor.problem() or everything.get(editor.spec.id)
            if message:
                problems[editor.spec.id] = message
        return problems

    def _show_problems(
        self, index: int, problems: Mapping[str, str], *, focus: bool = True
    ) -> None:
        step = self._steps[index]
        for editor in step.editors:
            editor.show_error(problems.get(editor.spec.id))
        self._errors_by_step[index] = len(problems)
        if index == self._current:
            if problems:
                self.message_label.setText(
                    self.tr("Bước này còn {0} chỗ cần sửa (chữ đỏ dưới ô).").format(len(problems))
                    if len(problems) > 1
                    else self.tr("Bước này còn một chỗ cần sửa (chữ đỏ dưới ô).")
                )
            else:
                self.message_label.clear()
        self._update_chrome()
        if focus and problems:
            first = next(e for e in step.editors if e.spec.id in problems)
            target = first.inputs()[0]
            if first.address is not None:
                # Point at the part to fill: the province, then the commune, then the detail line.
                picker = first.address
                target = picker.detail_edit
                if picker.province_combo.unresolved_text():
                    target = picker.province_combo
                elif picker.ward_combo.unresolved_text():
                    target = picker.ward_combo
                elif not picker.value() and picker.province_combo.place() is None:
                    target = picker.province_combo
                elif not picker.value():
                    target = picker.ward_combo
            target.setFocus(Qt.FocusReason.OtherFocusReason)
