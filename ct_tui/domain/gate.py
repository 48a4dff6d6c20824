"""The promotion gate: is a candidate version at least as good as the alias's current holder?

The gate compares one metric (settings `gate_metric`, `gate_direction`) and
looks at the candidate's lineage warnings. A candidate that fails either check
can still be promoted, but only with an explicit override.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GateResult:
    """The outcome of the gate for one candidate against the current holder."""

    metric: str
    """Metric the gate compares, such as `accuracy`."""

    direction: str
    """`higher` or `lower`: which way of `metric` is better."""

    candidate_value: float | None
    """The candidate's value of `metric`, or None when its source run has none."""

    holder_value: float | None
    """The current holder's value of `metric`; None when there is no holder or no value."""

    metric_passed: bool
    """True when the candidate is not worse than the holder on `metric`."""

    metric_reason: str
    """One sentence on how the metric comparison came out."""

    warnings: list[str] = field(default_factory=list)
    """The candidate's lineage warnings; each one needs the override."""

    enforced: bool = True
    """False for a rollback, which restores a version that already held the alias."""

    @property
    def passed(self) -> bool:
        """True when the move needs no override."""
        return not self.enforced or (self.metric_passed and not self.warnings)

    @property
    def reasons(self) -> list[str]:
        """Why the override is needed; empty when the gate passed."""
        if self.passed:
            return []
        reasons = [] if self.metric_passed else [self.metric_reason]
        return reasons + [f"lineage: {warning}" for warning in self.warnings]

    def to_record(self) -> dict:
        """Return the fields stored in an audit record."""
        return {
            "metric": self.metric,
            "direction": self.direction,
            "candidate": self.candidate_value,
            "holder": self.holder_value,
            "metric_passed": self.metric_passed,
            "warnings": list(self.warnings),
            "enforced": self.enforced,
            "passed": self.passed,
        }


def evaluate_gate(
    metric: str,
    direction: str,
    candidate_metrics: dict[str, float],
    holder_metrics: dict[str, float] | None,
    warnings: list[str],
    *,
    enforced: bool = True,
) -> GateResult:
    """Compare the candidate with the holder on `metric` and collect the reasons to refuse.

    `holder_metrics` is None when no live version holds the alias. A tie passes.
    A candidate without the metric fails, because nothing shows it is not worse;
    a holder without the metric lets any candidate pass.
    """
    candidate = candidate_metrics.get(metric)
    holder = None if holder_metrics is None else holder_metrics.get(metric)

    if candidate is None:
        passed = False
        reason = f"the candidate's source run has no metric {metric!r}"
    elif holder_metrics is None:
        passed = True
        reason = f"no version holds the alias now, so {metric} is not compared"
    elif holder is None:
        passed = True
        reason = f"the current holder has no metric {metric!r}"
    else:
        worse = candidate < holder if direction == "higher" else candidate > holder
        passed = not worse
        if worse:
            relation = "worse than"
        elif candidate == holder:
            relation = "equal to"
        else:
            relation = "better than"
        reason = (
            f"{metric} {format_value(candidate)} is {relation} {format_value(holder)} "
            f"({direction} is better)"
        )
    return GateResult(metric, direction, candidate, holder, passed, reason, list(warnings), enforced)


def format_value(value: float | None) -> str:
    """Format a metric value for a table cell: four decimals, or `-` when missing."""
    if value is None:
        return "-"
    return f"{value:.4f}"


def format_delta(candidate: float | None, holder: float | None) -> str:
    """Format candidate minus holder with a sign, or an empty string when either is missing."""
    if candidate is None or holder is None:
        return ""
    return f"{candidate - holder:+.4f}"
