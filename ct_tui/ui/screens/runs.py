"""Runs screen: MLflow runs with lineage, compare and metric plots."""

from __future__ import annotations

from ct_tui.ui.screens.placeholder import PlaceholderScreen


class RunsScreen(PlaceholderScreen):
    TITLE_TEXT = "Runs"
    COMING = "Coming next: the MLflow runs of this project, with lineage, compare and plots."
