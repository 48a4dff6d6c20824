"""The review dialog of an alias move: side-by-side, gate, and the confirm or typed override."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ct_tui.domain.comparison import ComparisonRow, comparison_rows, plan_title
from ct_tui.domain.promotion import MovePlan

OVERRIDE_WORD = "override"
"""Word the user types to promote despite a gate that did not pass."""

LABEL_WIDTH = 25
DELTA_WIDTH = 8


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
                    yield Static(_comparison(comparison_rows(plan)), id="promote-comparison")
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


def _comparison(rows: list[ComparisonRow]) -> Content:
    """Render the rows as aligned columns; the gate metric shows better or worse in colour."""
    column = 20
    lines = [
        Content.assemble(
            ("".ljust(LABEL_WIDTH), ""),
            ("candidate".ljust(column), "bold"),
            ("current holder".ljust(column), "bold"),
            ("delta", "bold"),
        )
    ]
    for row in rows:
        if row.better is True:
            style = "$success"
        elif row.better is False:
            style = "$error"
        elif row.differs:
            style = "$warning"
        else:
            style = ""
        lines.append(
            Content.assemble(
                (_fit(row.label, LABEL_WIDTH), "$text-muted"),
                (_fit(row.target, column), style),
                (_fit(row.holder, column), ""),
                (row.delta.ljust(DELTA_WIDTH), style),
            )
        )
    return Content("\n").join(lines)


def _gate(plan: MovePlan) -> Content:
    gate = plan.gate
    parts: list[Content] = [Content.assemble(("Gate: ", "bold"), gate.metric_reason)]
    for warning in gate.warnings:
        parts.append(Content.assemble(("Warning: ", "bold $warning"), (warning, "$warning")))
    if not gate.enforced:
        parts.append(Content("Not enforced: a rollback restores a version that held the alias before."))
    elif gate.passed:
        parts.append(Content.assemble(("The gate passed.", "$success")))
    else:
        parts.append(Content.assemble(("The gate did not pass: ", "bold $error"), "promoting needs an override."))
    return Content("\n").join(parts)


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


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to `width` cells, ending a cut with an ellipsis."""
    if len(text) >= width:
        return text[: width - 2] + "… "
    return text.ljust(width)
