"""Display pieces of the Registry screen: the versions table and the selected version's lineage."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable, Static

from ct_tui.domain.gate import format_value
from ct_tui.domain.registry import ModelDetail, VersionInfo

MAX_METRIC_COLUMNS = 3
"""Metric columns shown; the gate metric is always the first."""


class VersionsTable(DataTable):
    """The live versions of one registered model, newest first; row keys are version numbers."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def show(self, detail: ModelDetail) -> None:
        """Replace the rows with `detail`'s versions, keeping the cursor on the same version."""
        selected = self.selected_version()
        # DataTable measures Rich Text, not Content, so cells carry theme colours resolved here.
        colours = self.app.theme_variables
        warning = colours.get("warning", "yellow")
        accent = colours.get("accent", "cyan")
        self.clear(columns=True)
        metrics = detail.metric_names[:MAX_METRIC_COLUMNS]
        self.add_column("Ver", key="version")
        self.add_column("Aliases", key="aliases")
        for name in metrics:
            self.add_column(name[:10], key=f"metric:{name}")
        self.add_column("Registered", key="registered")
        self.add_column("Commit", key="commit")
        self.add_column("Data", key="data")
        self.add_column("Run", key="run")
        # Nearly every version is READY; the column appears when one is not,
        # which also keeps the table within 80 columns.
        show_status = any(info.status != "READY" for info in detail.versions)
        if show_status:
            self.add_column("Status", key="status")
        if detail.has_stages:
            self.add_column("Stage", key="stage")

        for info in detail.versions:
            cells: list[object] = [
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
            self.add_row(*cells, key=str(info.version))

        if selected is not None and detail.version(selected) is not None:
            self.move_cursor(row=self.get_row_index(str(selected)))

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
