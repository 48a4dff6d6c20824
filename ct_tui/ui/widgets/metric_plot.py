"""A terminal plot of metric histories (textual-plotext), one line per run."""

from __future__ import annotations

from dataclasses import dataclass

from textual_plotext import PlotextPlot


@dataclass(frozen=True)
class Series:
    """One run's history of one metric."""

    label: str
    steps: list[int]
    values: list[float]


class MetricPlot(PlotextPlot):
    """Plot one metric over steps; several series are overlaid with a legend."""

    def show_series(self, title: str, series: list[Series]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel("step")
        for item in series:
            if not item.values:
                continue
            label = item.label if len(series) > 1 else None
            if len(item.values) == 1:
                # One point draws no line, so mark it.
                plt.scatter(item.steps, item.values, label=label, marker="dot")
            else:
                plt.plot(item.steps, item.values, label=label, marker="braille")
        self.refresh()
