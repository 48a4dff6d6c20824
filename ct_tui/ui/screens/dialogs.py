"""Typed dialogs shared by every screen: confirm, and type-to-confirm."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ct_tui.domain.project import mask_secrets


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; `y` answers True, `n` and Esc answer False."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n", "answer(False)", "No", id="dialog.no"),
        Binding("escape", "answer(False)", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, body: str = "", *, yes_label: str = "yes") -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            if self._body:
                yield Static(self._body, classes="dialog-body", markup=False)
            yield Static(
                f"[b]y[/b] {self._yes_label}   [b]n[/b] no   [b]Esc[/b] cancel",
                classes="dialog-keys",
            )

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TypedConfirmDialog(ModalScreen[bool]):
    """Ask the user to type a word (such as `override`) to confirm a risky action."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, body: str, word: str) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self.word = word

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._body, classes="dialog-body", markup=False)
            yield Static(f"Type [b]{self.word}[/b] and press Enter, or Esc to cancel.", classes="dialog-keys")
            yield Input(placeholder=self.word, id="typed-confirm")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip() == self.word:
            self.dismiss(True)
        else:
            self.notify(f"typed {event.value!r}, expected {self.word!r}", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(False)


class TextInputDialog(ModalScreen["str | None"]):
    """Ask for one line of text; Enter returns it, Esc returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, value: str = "", *, body: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._body = body
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            if self._body:
                yield Static(self._body, classes="dialog-body", markup=False)
            yield Input(value=self._value, placeholder=self._placeholder, id="text-input")
            yield Static("[b]Enter[/b] accept   [b]Esc[/b] cancel", classes="dialog-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ErrorDialog(ModalScreen[None]):
    """Show an error that the user must acknowledge; Enter or Esc closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="dialog.close"),
        Binding("enter", "close", "Close", show=False),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self._title = title
        # Every error shown passes here, so no credential can slip past.
        self._message = mask_secrets(message)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._message, classes="dialog-body", markup=False)
            yield Static("[b]Enter[/b]/[b]Esc[/b] close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
