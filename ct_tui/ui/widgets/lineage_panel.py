"""The lineage of a run as lines of text: commit, working tree, data, model versions."""

from __future__ import annotations

from rich.markup import escape

from ct_tui.domain.lineage import Lineage
from ct_tui.domain.runs_query import ModelVersionRef


def lineage_markup(lineage: Lineage, versions: list[ModelVersionRef]) -> str:
    """Return Rich markup on what produced the run: commit, working tree, data and model versions."""
    lines = []
    if lineage.commit is None:
        lines.append("[b]Commit[/b]   unknown: the run has no commit tag")
    elif lineage.commit_info is None:
        lines.append(f"[b]Commit[/b]   {lineage.commit[:8]}  [b]not in this repository[/b]")
    else:
        info = lineage.commit_info
        lines.append(f"[b]Commit[/b]   {info.sha[:8]}  {escape(info.subject)}")
        lines.append(f"         {escape(info.author)}, {info.date:%Y-%m-%d %H:%M}, in this repository")

    if lineage.dirty is None:
        lines.append("[b]Tree[/b]     unknown: the run did not record uncommitted changes")
    elif lineage.dirty:
        lines.append("[b]Tree[/b]     [b]uncommitted changes[/b] at training time")
    else:
        lines.append("[b]Tree[/b]     clean at training time")

    if not lineage.data_md5:
        lines.append("[b]Data[/b]     unknown: the run has no data md5 tag")
    else:
        path = escape(lineage.data_path or "data")
        if lineage.data_matches_lock is None:
            state = "dvc.lock has no md5 for it"
        elif lineage.data_matches_lock:
            state = "same as the current dvc.lock"
        else:
            state = f"[b]differs[/b] from the current dvc.lock ({lineage.current_data_md5[:8]})"
        lines.append(f"[b]Data[/b]     {path} md5 {lineage.data_md5[:8]}: {state}")

    if versions:
        lines.append("[b]Models[/b]   " + ", ".join(escape(version.label) for version in versions))
    else:
        lines.append("[b]Models[/b]   none registered from this run")

    for warning in lineage.warnings:
        lines.append(f"[b]![/b] {escape(warning)}")
    return "\n".join(lines)
