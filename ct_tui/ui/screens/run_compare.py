"""Compare two or more runs: params and metrics side by side, differences highlighted, histories overlaid."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ct_tui.domain.run_detail import MetricPoint, compare_runs, load_run_detail
from ct_tui.domain.runs_query import RunRow
from ct_tui.ui.screens.worker_errors import ForwardWorkerErrors
from ct_tui.ui.widgets.metric_plot import MetricPlot, Series

RUN_LABEL_WIDTH = 16
"""Widest a run's column heading grows."""


class RunCompareScreen(ForwardWorkerErrors, Screen):
    """Marked runs in columns; `d` shows only what differs, `m` plots the next metric."""

    CSS_PATH = "run_compare.tcss"

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="compare.back"),
        Binding("d", "toggle_differences", "Only differences", id="compare.differences"),
        Binding("m", "next_metric", "Next metric", id="compare.next_metric"),
    ]

    only_differences: reactive[bool] = reactive(False, init=False)
    """Whether rows whose values are equal in every run are hidden."""

    metric_index: reactive[int] = reactive(0, init=False)
    """Index, into the sorted metric keys, of the metric the plot overlays."""

    @dataclass
    class HistoriesLoaded(Message):
        histories: list[dict[str, list[MetricPoint]]]
        """Per run, in the order of the runs: metric key -> history."""

    def __init__(self, runs: list[RunRow]) -> None:
        super().__init__()
        self.runs = runs
        """The compared runs, in the order they were marked."""

        self._histories: list[dict[str, list[MetricPoint]]] | None = None
        self._metrics = sorted({key for run in runs for key in run.metrics})

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="compare-title")
        yield DataTable(id="compare-table", cursor_type="none", zebra_stripes=False)
        yield MetricPlot(id="compare-plot")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="key")
        for index, run in enumerate(self.runs):
            label = run.name or run.run_id[:8]
            table.add_column(label[:RUN_LABEL_WIDTH], key=f"run-{index}")
        self._fill_table()
        self._show_title()
        self._show_plot()
        table.focus()
        self._load_histories([run.run_id for run in self.runs])

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def _load_histories(self, run_ids: list[str]) -> None:
        project = self.app.project
        self.post_message(self.HistoriesLoaded([load_run_detail(project, run_id).histories for run_id in run_ids]))

    def on_run_compare_screen_histories_loaded(self, message: HistoriesLoaded) -> None:
        self._histories = message.histories
        self._show_plot()

    def watch_only_differences(self) -> None:
        self._fill_table()
        self._show_title()

    def watch_metric_index(self) -> None:
        self._show_plot()

    def action_toggle_differences(self) -> None:
        self.only_differences = not self.only_differences

    def action_next_metric(self) -> None:
        if self._metrics:
            self.metric_index = (self.metric_index + 1) % len(self._metrics)

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        highlight = Style(color=self.app.theme_variables.get("warning"), bold=True)
        for value in compare_runs(self.runs):
            if self.only_differences and not value.differs:
                continue
            style = highlight if value.differs else Style()
            label = Text(f"{value.section} {value.key}", style=style)
            cells = [Text(cell, style=style) for cell in value.values]
            table.add_row(label, *cells, key=f"{value.section}:{value.key}")

    def _show_title(self) -> None:
        shown = "only differences" if self.only_differences else "all values, differences highlighted"
        self.query_one("#compare-title", Static).update(f"[b]{len(self.runs)} runs[/b] · {shown}")

    def _show_plot(self) -> None:
        plot = self.query_one(MetricPlot)
        if not self._metrics:
            plot.show_series("no metrics", [])
            return
        key = self._metrics[self.metric_index]
        if self._histories is None:
            plot.show_series(f"{key} (reading histories…)", [])
            return
        series = []
        for run, histories in zip(self.runs, self._histories):
            points = histories.get(key, [])
            series.append(Series(run.name or run.run_id[:8], [point.step for point in points], [point.value for point in points]))
        plot.show_series(f"{key} · m: next metric", series)
