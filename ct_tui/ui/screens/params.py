"""Params screen: edit params.yaml safely, with validation, diff and what reruns."""

from __future__ import annotations

from ct_tui.ui.screens.placeholder import PlaceholderScreen


class ParamsScreen(PlaceholderScreen):
    TITLE_TEXT = "Params"
    COMING = "Coming next: every parameter the pipeline uses, edited with validation and a diff."
