"""Run detail: params, latest metrics, tags, artifacts, lineage and each metric's history."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from ct_tui.domain.run_detail import RunDetail, format_metric, load_run_detail
from ct_tui.domain.runs_query import RunRow
from ct_tui.ui.screens.runs_columns import format_duration, format_time
from ct_tui.ui.widgets.lineage_panel import lineage_markup
from ct_tui.ui.screens.worker_errors import ForwardWorkerErrors
from ct_tui.ui.widgets.metric_plot import MetricPlot, Series

TAG_VALUE_WIDTH = 60
"""Tag values longer than this (model history JSON, say) are cut in the overview."""


class RunDetailScreen(ForwardWorkerErrors, Screen):
    """One run in full; Esc goes back to the runs table."""

    CSS_PATH = "run_detail.tcss"

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="run-detail.back"),
        Binding("v", "tab('overview')", "Overview", id="run-detail.overview"),
        Binding("l", "tab('lineage')", "Lineage", id="run-detail.lineage"),
        Binding("a", "tab('artifacts')", "Artifacts", id="run-detail.artifacts"),
        Binding("p", "tab('plots')", "Plots", id="run-detail.plots"),
    ]

    @dataclass
    class DetailLoaded(Message):
        detail: RunDetail

    def __init__(self, run: RunRow) -> None:
        super().__init__()
        self.run = run
        """The run as the table read it; the worker reads the rest."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title(self.run), id="detail-title")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Overview", id="overview"):
                with VerticalScroll():
                    yield Static(self._overview(self.run, tags_loaded=False), id="detail-overview")
            with TabPane("Lineage", id="lineage"):
                yield Static("Reading lineage…", id="detail-lineage")
            with TabPane("Artifacts", id="artifacts"):
                with VerticalScroll():
                    yield Static("Listing artifacts…", id="detail-artifacts", markup=False)
            with TabPane("Plots", id="plots"):
                yield VerticalScroll(Static("Reading metric histories…", id="plots-note"), id="detail-plots")
        yield Footer()

    def on_mount(self) -> None:
        self._load(self.run.run_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run-detail")
    def _load(self, run_id: str) -> None:
        self.post_message(self.DetailLoaded(load_run_detail(self.app.project, run_id)))

    def on_run_detail_screen_detail_loaded(self, message: DetailLoaded) -> None:
        detail = message.detail
        self.query_one("#detail-title", Static).update(self._title(detail.run))
        self.query_one("#detail-overview", Static).update(self._overview(detail.run, tags_loaded=True))
        self.query_one("#detail-lineage", Static).update(lineage_markup(detail.lineage, detail.model_versions))
        self.query_one("#detail-artifacts", Static).update(self._artifacts(detail))
        plots = self.query_one("#detail-plots", VerticalScroll)
        plots.remove_children()
        if not detail.histories:
            plots.mount(Static("This run logged no metrics."))
        for key, points in detail.histories.items():
            plot = MetricPlot(classes="metric-plot")
            plots.mount(plot)
            plot.show_series(key, [Series(detail.run.name, [point.step for point in points], [point.value for point in points])])

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @staticmethod
    def _title(run: RunRow) -> Text:
        state = "deleted" if run.deleted else run.status.lower()
        duration = format_duration(run.duration_ms)
        text = Text()
        text.append(f"Run {run.name or run.run_id}", style="bold")
        text.append(f" · {state} · {format_time(run.start_time)}")
        if duration:
            text.append(f" · {duration}")
        text.append(f" · id {run.run_id}")
        return text

    @staticmethod
    def _overview(run: RunRow, *, tags_loaded: bool) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row(Text("Metrics", style="underline"), "")
        for key in sorted(run.metrics):
            grid.add_row(key, format_metric(run.metrics[key]))
        if not run.metrics:
            grid.add_row("", "none logged")
        grid.add_row("", "")
        grid.add_row(Text("Params", style="underline"), "")
        for key in sorted(run.params):
            grid.add_row(key, run.params[key])
        if not run.params:
            grid.add_row("", "none logged")
        grid.add_row("", "")
        grid.add_row(Text("Tags", style="underline"), "" if tags_loaded else "reading…")
        if tags_loaded:
            for key in sorted(run.tags):
                value = run.tags[key]
                if len(value) > TAG_VALUE_WIDTH:
                    value = value[: TAG_VALUE_WIDTH - 1] + "…"
                grid.add_row(key, value)
        return grid

    @staticmethod
    def _artifacts(detail: RunDetail) -> str:
        lines = []
        for model in detail.logged_models:
            lines.append(f"model {model.name} ({model.model_id}) at {model.artifact_location}")
        if lines:
            lines.append("")
        if not detail.artifacts:
            lines.append("No artifacts logged to the run itself." if detail.logged_models else "No artifacts logged to this run.")
        for artifact in detail.artifacts:
            depth = artifact.path.count("/")
            name = artifact.path.rsplit("/", 1)[-1] + ("/" if artifact.is_dir else "")
            size = "" if artifact.is_dir or artifact.size is None else f"  {artifact.size:,} B"
            lines.append("  " * depth + name + size)
        if detail.artifacts_truncated:
            lines.append(f"… more artifacts than the {len(detail.artifacts)} listed")
        return "\n".join(lines)
