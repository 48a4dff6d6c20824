"""Help: every key of every screen, and where the log file is."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """List the keys of the app and of each screen; Esc, `?` or `q` closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]], log_path: str) -> None:
        super().__init__()
        self._sections = sections
        self._log_path = log_path

    def compose(self) -> ComposeResult:
        lines: list[str] = ["[b]Keys[/b]  (Esc closes)", ""]
        for title, keys in self._sections:
            lines.append(f"[b]{title}[/b]")
            for key, description in keys:
                lines.append(f"  [b]{escape(key):>10}[/b]  {escape(description)}")
            lines.append("")
        lines.append(f"Log file: {escape(self._log_path)}")
        with VerticalScroll(classes="dialog help"):
            yield Static("\n".join(lines), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
