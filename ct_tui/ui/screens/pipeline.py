"""Pipeline screen: stages, their status and why they would rerun; repro with logs."""

from __future__ import annotations

from ct_tui.ui.screens.placeholder import PlaceholderScreen


class PipelineScreen(PlaceholderScreen):
    TITLE_TEXT = "Pipeline"
    COMING = "Stages of dvc.yaml with their status, and dvc repro with streamed logs."
