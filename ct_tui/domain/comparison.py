"""The side-by-side of a move plan: target version against the alias's current holder.

Both the promote dialog and the headless commands show these rows, so the
screen and a CI log show the same comparison.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace

from ct_tui.domain.gate import format_delta, format_value
from ct_tui.domain.promotion import MovePlan
from ct_tui.domain.registry import VersionInfo


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the side-by-side."""

    label: str
    target: str
    holder: str
    delta: str = ""
    """Target minus holder, for metrics."""

    differs: bool = False
    """True when the two sides differ, so a display can highlight the row."""

    better: bool | None = None
    """For the gate metric: True when the target is better, False when worse, else None."""


HEADER = ComparisonRow("", "candidate", "current holder", "delta")
"""Column headings of the side-by-side."""

GAP = "  "
"""Space between two columns."""

VALUE_MIN_WIDTH = 19
"""Width the value columns keep while labels shrink: `2f401289 ≠ dvc.lock` and
`84d3a36b not found` fit in it whole."""

LABEL_MIN_WIDTH = 16
"""Width labels keep while the value columns shrink below `VALUE_MIN_WIDTH`."""

NARROWEST = 6
"""No column shrinks below this, even when the line then exceeds the width."""


@dataclass(frozen=True)
class ColumnWidths:
    """Widths in characters of the four columns of the side-by-side."""

    label: int
    target: int
    holder: int
    delta: int


@dataclass(frozen=True)
class ComparisonLine:
    """One printed line: the cells padded or cut to their column widths."""

    label: str
    target: str
    holder: str
    delta: str
    row: ComparisonRow | None
    """The row this line shows; None for the heading."""

    @property
    def text(self) -> str:
        return f"{self.label}{GAP}{self.target}{GAP}{self.holder}{GAP}{self.delta}".rstrip()


@dataclass(frozen=True)
class GateLine:
    """One sentence on the gate, with its kind so that a display can colour it."""

    kind: str
    """`metric`, `warning`, `not-enforced`, `passed`, `failed` or `reason`."""

    text: str


def plan_title(plan: MovePlan, arrow: str = "→") -> str:
    """Describe the move in one line, such as `Promote ct-model v2 to champion (now on v1)`."""
    holder = _version_label(plan.holder_version, plan.holder_dangling)
    if plan.action == "remove":
        return f"Remove alias {plan.alias} of {plan.model} (now on {holder})"
    target = f"v{plan.to_version}"
    if plan.action == "rollback":
        return f"Roll back {plan.model} alias {plan.alias}: {holder} {arrow} {target}"
    return f"Promote {plan.model} {target} to {plan.alias} (now on {holder})"


def comparison_rows(plan: MovePlan) -> list[ComparisonRow]:
    """Return the lineage, metric and differing-param rows of the side-by-side."""
    target = plan.target
    holder = plan.holder
    rows = [
        ComparisonRow("version", _version_cell(target), _holder_cell(plan)),
        _row("commit", target, holder, _commit_cell),
        _row("uncommitted", target, holder, _dirty_cell),
        _row("data md5", target, holder, _data_cell),
    ]

    for name in plan.metric_names:
        mine = target.metrics.get(name) if target else None
        theirs = holder.metrics.get(name) if holder else None
        better = None
        if plan.gate is not None and name == plan.gate.metric and mine is not None and theirs is not None and mine != theirs:
            better = (mine > theirs) == (plan.gate.direction == "higher")
        rows.append(
            ComparisonRow(
                name,
                format_value(mine),
                format_value(theirs) if holder else "",
                format_delta(mine, theirs),
                differs=mine != theirs and holder is not None,
                better=better,
            )
        )

    if plan.param_names:
        rows.append(ComparisonRow("params that differ", "", ""))
    for name in plan.param_names:
        rows.append(
            ComparisonRow(
                f"  {name}",
                (target.params.get(name) if target else None) or "-",
                (holder.params.get(name) if holder else None) or "-",
                differs=True,
            )
        )
    return rows


def fit_widths(rows: list[ComparisonRow], width: int) -> ColumnWidths:
    """Choose column widths so that a line of `rows` fits in `width` characters.

    Each column starts as wide as its widest cell. When the line is too wide,
    the value columns shrink first, down to VALUE_MIN_WIDTH, then the labels
    down to LABEL_MIN_WIDTH, then the widest column step by step down to
    NARROWEST. Cells wider than their column are cut by `comparison_lines`.
    """
    delta = max(len(row.delta) for row in rows)
    if delta:
        delta = max(delta, len(HEADER.delta))
    widths = [
        max(len(row.label) for row in rows),
        max(len(row.target) for row in rows),
        max(len(row.holder) for row in rows),
    ]
    budget = width - 3 * len(GAP) - delta
    _shrink(widths, [1, 2], VALUE_MIN_WIDTH, budget)
    _shrink(widths, [0], LABEL_MIN_WIDTH, budget)
    _shrink(widths, [0, 1, 2], NARROWEST, budget)
    return ColumnWidths(widths[0], widths[1], widths[2], delta)


def comparison_lines(rows: list[ComparisonRow], width: int) -> list[ComparisonLine]:
    """Lay out the heading and `rows` in columns that fit in `width` characters.

    A label wider than its column gets a line of its own, with the values on
    the next line, so that a long param name is never cut. Values wider than
    their column end in `…`.
    """
    heading = HEADER if any(row.delta for row in rows) else replace(HEADER, delta="")
    widths = fit_widths([heading, *rows], width)
    lines = [_line(heading, widths, None)]
    for row in rows:
        if len(row.label) > widths.label and not (row.target or row.holder or row.delta):
            lines.append(ComparisonLine(row.label, "", "", "", row))
        elif len(row.label) > widths.label:
            lines.append(ComparisonLine(row.label, "", "", "", row))
            lines.append(_line(replace(row, label=""), widths, row))
        else:
            lines.append(_line(row, widths, row))
    return lines


def gate_lines(plan: MovePlan) -> list[GateLine]:
    """Describe the gate: the metric outcome, the warnings, and why it did not pass.

    When an enforced gate did not pass, each reason is listed after the
    verdict, and the metric sentence comes first only when the metric passed,
    so no reason is printed twice.
    """
    gate = plan.gate
    if gate is None:
        return []
    if gate.enforced and not gate.passed:
        lines = [] if not gate.metric_passed else [GateLine("metric", f"Gate: {gate.metric_reason}")]
        lines.append(GateLine("failed", "The gate did not pass, so promoting needs an override:"))
        lines.extend(GateLine("reason", f"  - {reason}") for reason in gate.reasons)
        return lines

    lines = [GateLine("metric", f"Gate: {gate.metric_reason}")]
    lines.extend(GateLine("warning", f"Warning: {warning}") for warning in gate.warnings)
    if not gate.enforced:
        lines.append(
            GateLine("not-enforced", "Not enforced: a rollback restores a version that held the alias before.")
        )
    else:
        lines.append(GateLine("passed", "The gate passed."))
    return lines


def plan_text(plan: MovePlan, width: int = 80) -> str:
    """Render the plan as plain text that fits in `width` columns, for the headless commands."""
    indent = "  "
    lines = textwrap.wrap(plan_title(plan, arrow="->"), width, subsequent_indent=indent)
    if plan.target is not None:
        rows = comparison_rows(plan)
        lines.extend(indent + line.text for line in comparison_lines(rows, width - len(indent)))
    for gate_line in gate_lines(plan):
        lines.extend(textwrap.wrap(gate_line.text, width, subsequent_indent=indent * 2) or [""])
    return "\n".join(lines)


def _shrink(widths: list[int], columns: list[int], floor: int, budget: int) -> None:
    """Narrow the widest of `columns`, one character at a time, until the sum fits `budget`."""
    while sum(widths) > budget:
        widest = max(columns, key=lambda index: widths[index])
        if widths[widest] <= floor:
            return
        widths[widest] -= 1


def _line(row: ComparisonRow, widths: ColumnWidths, source: ComparisonRow | None) -> ComparisonLine:
    return ComparisonLine(
        _cut(row.label, widths.label),
        _cut(row.target, widths.target),
        _cut(row.holder, widths.holder),
        row.delta,
        source,
    )


def _cut(text: str, width: int) -> str:
    """Pad `text` to `width` characters, or cut it to at most `width` ending in `…`."""
    if len(text) <= width:
        return text.ljust(width)
    return (text[: width - 1].rstrip() + "…").ljust(width)


def _row(label, target, holder, cell) -> ComparisonRow:
    mine = cell(target) if target else ""
    theirs = cell(holder) if holder else ""
    return ComparisonRow(label, mine, theirs, differs=bool(holder) and mine != theirs)


def _version_label(number: int | None, dangling: bool) -> str:
    if number is None:
        return "no version"
    return f"v{number} (dangling)" if dangling else f"v{number}"


def _version_cell(info: VersionInfo | None) -> str:
    return f"v{info.version}" if info else "-"


def _holder_cell(plan: MovePlan) -> str:
    if plan.holder is not None:
        return f"v{plan.holder.version}"
    if plan.holder_dangling:
        return f"v{plan.holder_version} (deleted)"
    return "none"


def _commit_cell(info: VersionInfo) -> str:
    lineage = info.lineage
    if lineage.commit is None:
        return "unknown"
    if lineage.commit_info is None:
        return f"{lineage.short_commit} not found"
    return f"{lineage.short_commit} {lineage.commit_info.subject}"


def _dirty_cell(info: VersionInfo) -> str:
    return {True: "yes", False: "no", None: "unknown"}[info.lineage.dirty]


def _data_cell(info: VersionInfo) -> str:
    lineage = info.lineage
    if not lineage.data_md5:
        return "unknown"
    mark = {True: "", False: " ≠ dvc.lock", None: ""}[lineage.data_matches_lock]
    return f"{lineage.data_md5[:8]}{mark}"
