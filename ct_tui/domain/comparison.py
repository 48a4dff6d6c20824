"""The side-by-side of a move plan: target version against the alias's current holder.

Both the promote dialog and the headless commands show these rows, so the
screen and a CI log show the same comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def plan_title(plan: MovePlan) -> str:
    """Describe the move in one line, such as `Promote ct-model v2 to champion (now on v1)`."""
    holder = _version_label(plan.holder_version, plan.holder_dangling)
    if plan.action == "remove":
        return f"Remove alias {plan.alias} of {plan.model} (now on {holder})"
    target = f"v{plan.to_version}"
    if plan.action == "rollback":
        return f"Roll back {plan.model} alias {plan.alias}: {holder} -> {target}"
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


def gate_lines(plan: MovePlan) -> list[str]:
    """Plain sentences on the gate: the metric outcome, then each warning."""
    gate = plan.gate
    if gate is None:
        return []
    lines = [f"Gate: {gate.metric_reason}"]
    lines.extend(f"Warning: {warning}" for warning in gate.warnings)
    if not gate.enforced:
        lines.append("A rollback restores a version that held the alias before: the gate is not enforced.")
    elif gate.passed:
        lines.append("The gate passed.")
    else:
        lines.append("The gate did not pass: promoting needs an explicit override.")
    return lines


def plan_text(plan: MovePlan) -> str:
    """Render the plan as plain text with aligned columns, for the headless commands."""
    rows = comparison_rows(plan) if plan.target is not None else []
    lines = [plan_title(plan)]
    if rows:
        width = max(len(row.label) for row in rows)
        left = max(len(row.target) for row in rows)
        right = max(len(row.holder) for row in rows)
        lines.append(f"  {'':<{width}}  {'candidate':<{left}}  {'current':<{right}}".rstrip())
        for row in rows:
            line = f"  {row.label:<{width}}  {row.target:<{left}}  {row.holder:<{right}}  {row.delta}"
            lines.append(line.rstrip())
    lines.extend(gate_lines(plan))
    return "\n".join(lines)


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
        return f"{lineage.short_commit} (not in repo)"
    subject = lineage.commit_info.subject
    return f"{lineage.short_commit} {subject[:24]}"


def _dirty_cell(info: VersionInfo) -> str:
    return {True: "yes", False: "no", None: "unknown"}[info.lineage.dirty]


def _data_cell(info: VersionInfo) -> str:
    lineage = info.lineage
    if not lineage.data_md5:
        return "unknown"
    mark = {True: "", False: " (not dvc.lock)", None: ""}[lineage.data_matches_lock]
    return f"{lineage.data_md5[:8]}{mark}"
