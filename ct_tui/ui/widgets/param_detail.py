"""The lines under the params tree that describe the param or file the cursor is on."""

from __future__ import annotations

from textual.widgets import Static

from ct_tui.domain.params import Param, format_key
from ct_tui.ui.widgets.params_tree import MARK_INTERPOLATED, MARK_SHARED, MARK_YAML11


def shared_text(param: Param) -> str:
    """Describe the other keys that read the same value as `param` through an anchor."""
    keys = ", ".join(format_key(path) for path in param.shared_with)
    anchor = f" (anchor &{param.anchor})" if param.anchor else ""
    return f"shares one value{anchor} with {keys}"


class ParamDetail(Static):
    """File, key, type and stages of one param, with what its marks in the tree mean."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, markup=False)

    def show_param(self, param: Param) -> None:
        used = f"used by {', '.join(param.stages)}" if param.stages else "unused: no stage declares it"
        lines = [f"{param.file} · {param.key} · {param.type_name} · {used}"]
        if param.yaml11_note:
            lines.append(f"{MARK_YAML11} {param.yaml11_note}")
        if param.shared:
            lines.append(f"{MARK_SHARED} {shared_text(param)}")
        if param.interpolated:
            lines.append(f"{MARK_INTERPOLATED} interpolated: shown and edited as written")
        if param.read_only:
            lines.append(f"read only: {param.read_only}")
        self.update("\n".join(lines))

    def show_file(self, file: str | None) -> None:
        """Show what can be done with a whole params file, or nothing when `file` is None."""
        self.update(f"{file}: H reverts it to the last commit" if file else "")
