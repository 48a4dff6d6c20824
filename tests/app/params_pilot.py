"""Helpers for Pilot tests of the Params screen: wait for workers, move the cursor by keys."""

from __future__ import annotations

import time
from typing import Callable

from rich.style import Style
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets.tree import TreeNode

from ct_tui.ui.screens.params import ParamsScreen
from ct_tui.ui.widgets.params_tree import ParamsTree


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0, description: str = "") -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {description or condition}")
        await pilot.pause(0.05)


async def open_params(pilot: Pilot) -> ParamsScreen:
    """Press 2 and wait until the Params screen shows its first load."""
    await pilot.press("2")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ParamsScreen), description="the Params screen")
    screen = pilot.app.screen
    assert isinstance(screen, ParamsScreen)
    await wait_until(pilot, lambda: screen.snapshot is not None, description="params to load")
    await pilot.pause()
    return screen


async def move_to(pilot: Pilot, screen: ParamsScreen, key: str) -> None:
    """Press down from the top until the tree's cursor is on the param named `key`."""
    tree = screen.query_one(ParamsTree)
    await pilot.press("home")
    for _ in range(tree.last_line + 1):
        param = tree.selected_param
        if param is not None and param.key == key:
            return
        await pilot.press("down")
    raise AssertionError(f"{key} is not in the tree")


async def type_value(pilot: Pilot, text: str) -> None:
    """Clear the edit box and type `text` key by key, then press Enter."""
    await pilot.press("ctrl+a", "ctrl+k")
    await pilot.press(*[_key_name(character) for character in text])
    await pilot.press("enter")


def tree_line(screen: ParamsScreen, key: str) -> str:
    """Return the tree's line for the param named `key`, as plain text: name, value, type, stages."""
    tree = screen.query_one(ParamsTree)
    nodes: list[TreeNode] = [tree.root]
    while nodes:
        node = nodes.pop()
        if getattr(node.data, "key", None) == key:
            return tree.render_label(node, Style(), Style()).plain
        nodes.extend(node.children)
    raise AssertionError(f"{key} is not in the tree")


def text_of(screen: Screen, selector: str) -> str:
    return screen.query_one(selector, Static).visual.plain  # type: ignore[union-attr]


def _key_name(character: str) -> str:
    names = {".": "full_stop", "-": "minus", " ": "space", "+": "plus"}
    return names.get(character, character)
