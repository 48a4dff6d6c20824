"""The Runs screen's view (search and columns the user chose) and the two lines above its table."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.markup import escape

from ct_tui.domain.runs_query import Experiment, SortKey


@dataclass
class RunsView:
    """The search and columns the user chose; a change of the search starts a new one."""

    experiment: Experiment | None = None
    filter_string: str = ""
    """MLflow filter string, empty for all runs."""

    sort: SortKey | None = None
    """None for MLflow's default order, newest first."""

    include_deleted: bool = False
    metrics: list[str] | None = None
    """Metric columns chosen with `c`; None for the project's key metrics."""

    params: list[str] | None = None
    """Param columns chosen with `c`; None for the params that differ between runs."""


def title_line(experiment: Experiment | None, store: str, configured: str) -> str:
    """Return the line naming the experiment and the store (already free of credentials)."""
    if experiment is None:
        wanted = f"experiment {escape(configured)!r} has" if configured else "the store has"
        return f"[b]No runs yet[/b]: {wanted} no runs · {escape(store)}"
    deleted = " (deleted)" if experiment.lifecycle_stage == "deleted" else ""
    return f"Experiment [b]{escape(experiment.name)}[/b]{deleted} · {escape(store)}"


def status_line(
    *,
    loaded: int,
    total: int | None,
    has_more: bool,
    view: RunsView,
    complete: bool,
    marked: int,
    error: str | None,
    loaded_at: float | None,
    note: str | None = None,
) -> str:
    """Return the line with counts, order, filter and errors, as Rich markup."""
    parts = []
    if error:
        shown = time.strftime("%H:%M:%S", time.localtime(loaded_at)) if loaded_at else "never"
        parts.append(f"[b]stale[/b] (loaded {shown}; [b]r[/b] retries): {escape(error)}")
    if total is not None:
        parts.append(f"{total:,} runs" + (f", {loaded:,} loaded, more below" if has_more else ""))
    else:
        parts.append(f"{loaded:,} loaded" + (", more exist" if has_more else ""))
    if not complete:
        parts.append("newest first until the index is built")
    elif view.sort is None:
        parts.append("newest first")
    else:
        parts.append(f"sorted by {escape(view.sort.label)}")
    if view.filter_string:
        parts.append(f"filter: {escape(view.filter_string)}")
    if view.include_deleted:
        parts.append("deleted shown")
    if marked:
        parts.append(f"{marked} marked")
    if note:
        parts.append(escape(note))
    return " · ".join(parts)
