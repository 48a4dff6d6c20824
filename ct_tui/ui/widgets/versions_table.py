"""Display pieces of the Registry screen: the versions table and the selected version's lineage."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from ct_tui.domain.gate import format_value
from ct_tui.domain.registry import ModelDetail, VersionInfo
from ct_tui.ui.widgets.fitted_table import FittedColumn, FittedTable

MAX_METRIC_COLUMNS = 3
"""Metric columns shown; the gate metric is always the first."""

METRIC_LABEL_WIDTH = 10
"""Maximum length of a metric name shown in full in a column heading."""


class VersionsTable(FittedTable):
    """The live versions of one registered model, newest first; row keys are version numbers.

    When the table is too narrow for every column, the Run column is left
    out first, then the legacy stage, the registration time, the third and
    second metric, Data and Commit. The lineage line below the table shows
    them for the selected version.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def show(self, detail: ModelDetail) -> None:
        """Replace the rows with `detail`'s versions, keeping the cursor on the same version."""
        # DataTable measures Rich Text, not Content, so cells carry theme colours resolved here.
        colours = self.app.theme_variables
        warning = colours.get("warning", "yellow")
        accent = colours.get("accent", "cyan")
        metrics = detail.metric_names[:MAX_METRIC_COLUMNS]
        columns = [
            FittedColumn("Ver", "version"),
            FittedColumn("Aliases", "aliases", max_width=20, min_width=8),
        ]
        columns.extend(
            FittedColumn(_metric_label(name), f"metric:{name}", drop_rank=None if rank == 0 else 4 + rank)
            for rank, name in enumerate(metrics)
        )
        columns += [
            FittedColumn("Registered", "registered", drop_rank=7),
            FittedColumn("Commit", "commit", drop_rank=2),
            FittedColumn("Data", "data", drop_rank=3),
            FittedColumn("Run", "run", drop_rank=9),
        ]
        # Nearly every version is READY; the column appears when one is not.
        show_status = any(info.status != "READY" for info in detail.versions)
        if show_status:
            columns.append(FittedColumn("Status", "status", drop_rank=1))
        if detail.has_stages:
            columns.append(FittedColumn("Stage", "stage", drop_rank=8))

        rows: list[tuple[str, list[Text]]] = []
        for info in detail.versions:
            cells = [
                Text(str(info.version), style="bold"),
                Text(", ".join(info.aliases), style=f"bold {accent}"),
                *(Text(format_value(info.metrics.get(name))) for name in metrics),
                Text(info.created.astimezone().strftime("%m-%d %H:%M")),
                _commit_cell(info, warning),
                _data_cell(info, warning),
                _run_cell(info, warning),
            ]
            if show_status:
                cells.append(Text(info.status.lower().replace("_", " ")))
            if detail.has_stages:
                cells.append(Text(info.stage or ""))
            rows.append((str(info.version), cells))
        self.fill(columns, rows)

    def selected_version(self) -> int | None:
        """The version number under the cursor, or None when the table is empty."""
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None


class VersionDetail(Static):
    """The lineage and warnings of the version under the cursor."""

    def show(self, info: VersionInfo | None) -> None:
        if info is None:
            self.update("")
            return
        lineage = info.lineage
        run_state = {"active": "", "deleted": " (deleted)", "missing": " (not found)", "none": ""}[info.run_state]
        lines = [
            Content.assemble(
                (f"v{info.version}", "bold"),
                f"  {info.status.lower()}, registered {info.created.astimezone():%Y-%m-%d %H:%M}"
                f"  run {info.run_id or 'none'}{run_state}",
            )
        ]
        if lineage.commit is None:
            lines.append(Content("commit unknown: the run has no commit tag"))
        elif lineage.commit_info is None:
            lines.append(Content(f"commit {lineage.short_commit}, not in this repository"))
        else:
            commit = lineage.commit_info
            dirty = {True: ", uncommitted changes", False: "", None: ", dirty state unknown"}[lineage.dirty]
            lines.append(
                Content(f"commit {lineage.short_commit} {commit.subject} ({commit.author}, {commit.date:%Y-%m-%d}){dirty}")
            )
        if lineage.data_md5:
            match = {True: "matches dvc.lock", False: "differs from dvc.lock", None: "not in dvc.lock"}[
                lineage.data_matches_lock
            ]
            lines.append(Content(f"data {lineage.data_path or '?'} md5 {lineage.data_md5[:8]}, {match}"))
        else:
            lines.append(Content("data md5 unknown: the run has no data tag"))
        if info.warnings:
            lines.append(Content.assemble(("⚠ " + "; ".join(info.warnings), "$warning")))
        else:
            lines.append(Content.assemble(("no lineage warnings", "$text-muted")))
        self.update(Content("\n").join(lines))


def _metric_label(name: str) -> str:
    if len(name) <= METRIC_LABEL_WIDTH:
        return name
    return name[: METRIC_LABEL_WIDTH - 1] + "…"


def _commit_cell(info: VersionInfo, warning: str) -> Text:
    lineage = info.lineage
    if lineage.commit is None:
        return Text("unknown")
    text = lineage.short_commit + ("*" if lineage.dirty else "")
    if lineage.commit_in_repo is False:
        return Text(text + "?", style=warning)
    return Text(text, style=warning if lineage.dirty else "")


def _data_cell(info: VersionInfo, warning: str) -> Text:
    lineage = info.lineage
    if not lineage.data_md5:
        return Text("unknown")
    if lineage.data_matches_lock is False:
        return Text(lineage.data_md5[:8] + "≠", style=warning)
    return Text(lineage.data_md5[:8])


def _run_cell(info: VersionInfo, warning: str) -> Text:
    if info.run_state in ("deleted", "missing"):
        return Text(f"{info.short_run} {info.run_state}", style=warning)
    return Text(info.short_run)
