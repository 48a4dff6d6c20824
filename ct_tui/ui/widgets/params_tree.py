"""A tree of params files and their params, each line with value, type, marks and stages."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ct_tui.domain.params import Param, ParamPath, ParamsSnapshot

MARK_YAML11 = "!"
MARK_SHARED = "&"
MARK_INTERPOLATED = "$"

VALUE_WIDTH = 14
TYPE_WIDTH = 6
MARKS_WIDTH = 3
MAX_NAME_WIDTH = 30


def marks_of(param: Param) -> str:
    """Return the one-letter marks of a param: YAML 1.1 difference, shared value, interpolation."""
    marks = ""
    if param.yaml11_note:
        marks += MARK_YAML11
    if param.shared:
        marks += MARK_SHARED
    if param.interpolated:
        marks += MARK_INTERPOLATED
    return marks


def value_text(param: Param) -> str:
    """Return a param's value as written in its file, on one line."""
    if param.kind == "mapping":
        return ""
    if param.kind == "list":
        return f"{len(param.value)} items" if isinstance(param.value, list) else ""
    if param.source == "":
        return "(empty)"
    if param.style in ("|", ">"):
        return param.style + " " + param.value.splitlines()[0] if param.value else param.style
    return " ".join(param.source.split())


class ParamsTree(Tree["Param | str | None"]):
    """Params files at the top, their params below; node data is a `Param` or a file name."""

    COMPONENT_CLASSES = {
        "params-tree--unused",
        "params-tree--type",
        "params-tree--marks",
        "params-tree--stages",
        "params-tree--file",
    }

    DEFAULT_CSS = """
    ParamsTree > .params-tree--unused { color: $text-disabled; }
    ParamsTree > .params-tree--type { color: $text-muted; }
    ParamsTree > .params-tree--marks { color: $warning; text-style: bold; }
    ParamsTree > .params-tree--stages { color: $accent; }
    ParamsTree > .params-tree--file { text-style: bold; }
    """

    class SnapshotShown(Message):
        """The tree shows a new snapshot and its cursor is placed, so `selected_param` is from it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("params", id=id)
        self.show_root = False
        self.guide_depth = 3
        self._name_width = 20

    @property
    def selected_param(self) -> Param | None:
        node = self.cursor_node
        return node.data if node is not None and isinstance(node.data, Param) else None

    @property
    def selected_file(self) -> str | None:
        node = self.cursor_node
        if node is None:
            return None
        if isinstance(node.data, Param):
            return node.data.file
        return node.data if isinstance(node.data, str) else None

    def show_snapshot(self, snapshot: ParamsSnapshot) -> None:
        """Rebuild the tree from a snapshot, keeping the cursor on the same param when it still exists."""
        keep: tuple[str | None, ParamPath] = (self.selected_file, self.selected_param.path if self.selected_param else ())
        self.clear()
        widths = [len(params_file.name) for params_file in snapshot.files]
        for params_file in snapshot.files:
            widths += [len(param.path) * self.guide_depth + len(param.name) for param in params_file.params]
        self._name_width = min(MAX_NAME_WIDTH, max(widths, default=10) + 2)

        target: TreeNode | None = None
        for params_file in snapshot.files:
            file_node = self.root.add(params_file.name, data=params_file.name, expand=True)
            if keep == (params_file.name, ()):
                target = file_node
            nodes: dict[ParamPath, TreeNode] = {(): file_node}
            for param in params_file.params:
                parent = nodes.get(param.path[:-1], file_node)
                if param.kind == "scalar":
                    node = parent.add_leaf(param.name, data=param)
                else:
                    node = parent.add(param.name, data=param, expand=True)
                nodes[param.path] = node
                if keep == (param.file, param.path):
                    target = node
        if target is None and self.root.children:
            target = self.root.children[0]
        # Node lines are laid out on the next refresh; the cursor can only move then.
        # Until it moves, `cursor_node` is still a node of the old snapshot.
        self.call_after_refresh(self._place_cursor, target)

    def _place_cursor(self, target: TreeNode | None) -> None:
        # Tree posts NodeHighlighted only when the cursor moves to another line,
        # so the same line with a new param needs a message of its own.
        self.move_cursor(target)
        self.post_message(self.SnapshotShown())

    def render_label(self, node: TreeNode, base_style: Style, style: Style) -> Text:
        data = node.data
        label = super().render_label(node, base_style, style)
        if isinstance(data, str):
            label.stylize(self._style("params-tree--file"))
            return label
        if not isinstance(data, Param):
            return label

        indent = len(data.path) * self.guide_depth
        name_width = max(4, self._name_width - indent)
        label.truncate(name_width, overflow="ellipsis", pad=True)
        type_style = self._style("params-tree--type")
        stages_style = self._style("params-tree--stages")
        if not data.used:
            unused = self._style("params-tree--unused")
            label.stylize(unused)
            type_style = stages_style = unused
        stages = ", ".join(data.stages) if data.stages else "unused"
        return Text.assemble(
            label,
            " ",
            (_fit(value_text(data), VALUE_WIDTH), type_style if not data.used else ""),
            " ",
            (_fit(data.type_name if data.kind == "scalar" else "", TYPE_WIDTH), type_style),
            (_fit(marks_of(data), MARKS_WIDTH), self._style("params-tree--marks")),
            (stages, stages_style if data.stages or not data.used else ""),
        )

    def _style(self, component: str) -> Style:
        """Return a component's colour and boldness, without its background.

        Theme colours with alpha, such as `$text-muted`, show right only when
        blended with the background, which the non-partial style does. Its
        background is left out so that the cursor line keeps its highlight.
        """
        blended = self.get_component_rich_style(component, partial=False)
        own = self.get_component_rich_style(component, partial=True)
        return Style(color=blended.color, bold=own.bold)


def _fit(text: str, width: int) -> str:
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width)
