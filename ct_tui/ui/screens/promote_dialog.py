"""The review dialog of an alias move: side-by-side, gate, and the confirm or typed override."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from ct_tui.domain.comparison import (
    GAP,
    ComparisonLine,
    ComparisonRow,
    comparison_lines,
    comparison_rows,
    gate_lines,
    plan_title,
)
from ct_tui.domain.promotion import MovePlan

OVERRIDE_WORD = "override"
"""Word the user types to promote despite a gate that did not pass."""

GATE_STYLES = {
    "metric": "",
    "warning": "$warning",
    "not-enforced": "$text-muted",
    "passed": "$success",
    "failed": "bold $error",
    "reason": "$error",
}
"""Colour of each kind of gate sentence."""


class PromoteDialog(ModalScreen[bool]):
    """Show a move plan and ask for the go-ahead.

    A plan that passes the gate is confirmed with `y` (`n` or Esc cancel). A
    plan that needs an override is confirmed only by typing `override` and
    Enter. The dialog returns True to go ahead.
    """

    CSS_PATH = "promote_dialog.tcss"

    BINDINGS = [
        Binding("y", "confirm", "Go ahead", id="promote.confirm"),
        Binding("n", "cancel", "Cancel", id="promote.no"),
        Binding("escape", "cancel", "Cancel", id="promote.cancel"),
    ]

    def __init__(self, plan: MovePlan, notice: str = "") -> None:
        super().__init__()
        self.plan = plan
        """The move under review."""
        self._notice = notice

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="promote-box"):
            yield Static(Content(plan_title(plan)), id="promote-title")
            if self._notice:
                yield Static(Content(self._notice), id="promote-notice")
            with VerticalScroll(id="promote-body"):
                if plan.target is not None:
                    yield ComparisonTable(comparison_rows(plan), id="promote-comparison")
                    yield Static(_gate(plan), id="promote-gate")
                else:
                    yield Static(_removal(plan), id="promote-comparison")
            if plan.needs_override:
                yield Static(
                    Content.from_markup(
                        f"Type [b]{OVERRIDE_WORD}[/b] and press Enter to promote despite the gate; Esc cancels."
                    ),
                    id="promote-keys",
                )
                yield Input(placeholder=OVERRIDE_WORD, id="promote-override")
            else:
                verb = {"promote": "promote", "rollback": "roll back", "remove": "remove"}[plan.action]
                yield Static(
                    Content.from_markup(f"[b]y[/b] {verb}   [b]n[/b] no   [b]Esc[/b] cancel"),
                    id="promote-keys",
                )

    def on_mount(self) -> None:
        if self.plan.needs_override:
            self.query_one("#promote-override", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip() == OVERRIDE_WORD:
            self.dismiss(True)
        else:
            self.notify(f"typed {event.value!r}; type {OVERRIDE_WORD!r} to override", severity="warning")

    def action_confirm(self) -> None:
        # With an override pending, `y` lands in the Input; this guard covers
        # the case where focus has left it.
        if not self.plan.needs_override:
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ComparisonTable(Widget):
    """The side-by-side of candidate and current holder, laid out to fit the widget's width.

    The gate metric shows better or worse in colour; other rows that differ
    show in the warning colour.
    """

    def __init__(self, rows: list[ComparisonRow], **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows = rows
        """The rows shown, heading excluded."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(comparison_lines(self.rows, width))

    def render(self) -> Content:
        lines = comparison_lines(self.rows, self.size.width)
        return Content("\n").join(_styled(line) for line in lines)


def _styled(line: ComparisonLine) -> Content:
    row = line.row
    if row is None:
        return Content.assemble((line.text, "bold"))
    if row.better is True:
        style = "$success"
    elif row.better is False:
        style = "$error"
    elif row.differs:
        style = "$warning"
    else:
        style = ""
    return Content.assemble(
        (line.label, "$text-muted"),
        GAP,
        (line.target, style),
        GAP,
        line.holder,
        GAP,
        (line.delta, style),
    ).rstrip()


def _gate(plan: MovePlan) -> Content:
    return Content("\n").join(
        Content.assemble((line.text, GATE_STYLES[line.kind])) for line in gate_lines(plan)
    )


def _removal(plan: MovePlan) -> Content:
    if plan.holder_dangling:
        where = f"v{plan.holder_version}, a version that no longer exists"
    else:
        where = f"v{plan.holder_version}"
    return Content(
        f"Alias {plan.alias} points at {where}. Removing it leaves no version under "
        f"this alias; loading models:/{plan.model}@{plan.alias} fails until it is set again. "
        "The removal is recorded and can be rolled back."
    )
