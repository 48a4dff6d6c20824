"""Registry screen: registered model versions, promotion by alias, audit and rollback."""

from __future__ import annotations

from ct_tui.ui.screens.placeholder import PlaceholderScreen


class RegistryScreen(PlaceholderScreen):
    TITLE_TEXT = "Registry"
    COMING = "Coming next: model versions and aliases; promote with a gate, audit and rollback."
