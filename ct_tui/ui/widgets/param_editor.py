"""The edit box under the params tree: which value is edited, the input, and notes about the value."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ct_tui.domain.params import Param


class ParamEditor(Vertical):
    """An edit box for one scalar. The screen validates and saves the text that `Input.Submitted` carries."""

    def compose(self) -> ComposeResult:
        yield Static(id="edit-label", markup=False)
        yield Input(id="edit-input")
        yield Static(id="edit-error", markup=False)
        yield Static(id="edit-changed", markup=False)

    def open(self, param: Param) -> None:
        """Show the box with the param's value as written (a string as its content), and focus it."""
        label = self.query_one("#edit-label", Static)
        label.update(f"{param.key} ({param.type_name}) in {param.file}: Enter saves, Esc cancels")
        self.show_error("")
        self.show_changed("")
        editor = self.query_one("#edit-input", Input)
        editor.value = param.value if param.type_name == "str" else param.source
        self.display = True
        editor.focus()
        editor.cursor_position = len(editor.value)

    def close(self) -> None:
        self.display = False

    def show_error(self, text: str) -> None:
        """Show why the typed value was rejected, or hide the line with ''."""
        self._show_line("#edit-error", text)

    def show_changed(self, text: str) -> None:
        """Show that files changed on disk during the edit, or hide the line with ''."""
        self._show_line("#edit-changed", text)

    def _show_line(self, selector: str, text: str) -> None:
        # An empty Static still takes a line, which the 24 rows of a small terminal cannot spare.
        line = self.query_one(selector, Static)
        line.update(text)
        line.display = bool(text)
