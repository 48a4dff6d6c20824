"""Preview a `ParamsUpdatePlan` and ask whether to write it: `y` writes, `n` and Esc cancel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from ct_tui.domain.params import ParamsUpdatePlan


class ApplyParamsDialog(ModalScreen[bool]):
    """Show what a plan changes, rejects and cannot find, and return True to apply it.

    The dialog writes nothing. The caller runs `apply_updates(plan)` in a
    worker when the result is True. With nothing to change, `y` returns False.
    """

    CSS_PATH = "params_apply.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "Apply", id="params-apply.yes"),
        Binding("n", "answer(False)", "No", id="params-apply.no"),
        Binding("escape", "answer(False)", "Cancel", id="params-apply.cancel"),
    ]

    def __init__(self, plan: ParamsUpdatePlan, title: str = "Use these params?") -> None:
        super().__init__()
        self.plan = plan
        self._title = title

    def compose(self) -> ComposeResult:
        plan = self.plan
        with VerticalScroll(classes="dialog", id="params-apply"):
            yield Static(self._title, classes="dialog-title", markup=False)
            if plan.has_changes:
                count = len(plan.changes)
                yield Static(f"{count} value{'s' if count != 1 else ''} will change:", markup=False)
                yield Static(diff_markup(plan.diff), id="apply-diff")
                for change in plan.changes:
                    if change.note:
                        yield Static(f"{change.key}: {change.note}", classes="apply-note", markup=False)
            else:
                yield Static("Nothing to change: the params files already hold these values.", markup=False)
            if plan.rejected:
                yield Static("Not written:", classes="apply-heading")
                for rejection in plan.rejected:
                    yield Static(f"{rejection.key}: {rejection.reason}", classes="apply-rejected", markup=False)
            if plan.unknown:
                yield Static(
                    "In no params file, skipped: " + ", ".join(plan.unknown), classes="apply-unknown", markup=False
                )
            if plan.unchanged:
                yield Static(
                    f"Already set: {len(plan.unchanged)} value{'s' if len(plan.unchanged) != 1 else ''}",
                    classes="apply-unknown",
                    markup=False,
                )
            keys = "[b]y[/b] apply   [b]n[/b] no   [b]Esc[/b] cancel" if plan.has_changes else "[b]Esc[/b] close"
            yield Static(keys, classes="dialog-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer and self.plan.has_changes)


def diff_markup(diff: str) -> str:
    """Colour a unified diff with the theme: added lines green, removed red, hunks muted."""
    lines = []
    for line in diff.splitlines():
        text = escape(line)
        if line.startswith(("+++", "---")):
            lines.append(f"[b]{text}[/b]")
        elif line.startswith("+"):
            lines.append(f"[$success]{text}[/]")
        elif line.startswith("-"):
            lines.append(f"[$error]{text}[/]")
        elif line.startswith("@@"):
            lines.append(f"[$text-muted]{text}[/]")
        else:
            lines.append(text)
    return "\n".join(lines)
