"""A screen that describes what is coming, for screens not built yet."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class PlaceholderScreen(Screen):
    """Stand-in for a screen that is not built yet."""

    TITLE_TEXT = ""
    COMING = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"[b]{self.TITLE_TEXT}[/b]\n\n{self.COMING}", classes="placeholder")
        yield Footer()
