"""Splice new values into a params file's text and check the result before any write.

Each edit replaces the characters of one scalar (its span from the parser's
marks) and nothing else, so comments, key order, quoting, indentation, flow
lists and blank lines stay byte for byte. The new text is then parsed the way
DVC parses it, and it must read as the old data with only the edited values
changed. A candidate text that fails this check is not written.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ct_tui.domain.params.errors import ParamsError
from ct_tui.domain.params.model import Param, ParamPath, ParamsFile
from ct_tui.domain.params.values import NewValue
from ct_tui.domain.params.yaml11 import same_value


@dataclass(frozen=True)
class Edit:
    """One scalar to change: where it is and the value it gets."""

    param: Param
    new: NewValue


@dataclass(frozen=True)
class PlannedText:
    """The new text of a file, checked, and the YAML text chosen for each edit."""

    text: str
    written: dict[ParamPath, str]
    """The YAML text written into each edited span, by path."""


def plan_text(params_file: ParamsFile, edits: list[Edit]) -> PlannedText:
    """Return the file's text with every edit applied, checked by parsing it again.

    Raises ParamsError when no candidate text of an edit reads back as the
    new value with everything else unchanged.
    """
    if not edits:
        return PlannedText(params_file.text, {})
    chosen: dict[ParamPath, str] = {}
    for edit in edits:
        chosen[edit.param.path] = _choose_candidate(params_file, edit)
    text = _splice(params_file.text, [(edit.param, chosen[edit.param.path]) for edit in edits])
    problem = check_text(params_file, text, edits)
    if problem:
        raise ParamsError(f"{params_file.name}: the edits together would {problem}; nothing was written")
    return PlannedText(text, chosen)


def _choose_candidate(params_file: ParamsFile, edit: Edit) -> str:
    param = edit.param
    if not param.editable:
        raise ParamsError(f"{params_file.name}: {param.key} cannot be edited here: {param.read_only or 'not a scalar'}")
    problems = []
    for candidate in edit.new.candidates:
        text = _splice(params_file.text, [(param, candidate)])
        problem = check_text(params_file, text, [edit])
        if problem is None:
            return candidate
        problems.append(f"{candidate!r} would {problem}")
    raise ParamsError(
        f"{params_file.name}: {param.key} cannot be written without changing something else: "
        + "; ".join(problems)
        + "; nothing was written"
    )


def _splice(text: str, replacements: list[tuple[Param, str]]) -> str:
    # From the end backwards, so earlier spans keep their offsets.
    ordered = sorted(replacements, key=lambda item: item[0].span[0], reverse=True)  # type: ignore[index]
    for param, new_text in ordered:
        start, end = param.span  # type: ignore[misc]
        if start == end:
            new_text = param.insert_prefix + new_text
        text = text[:start] + new_text + text[end:]
    return text


def check_text(params_file: ParamsFile, text: str, edits: list[Edit]) -> str | None:
    """Return what is wrong with `text` as the edited file, or None when it reads as expected."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    expected = expected_data(params_file.data, edits)
    try:
        actual = YAML(typ="safe").load(text)
        YAML(typ="rt").compose(text)
    except YAMLError as error:
        return f"not be valid YAML ({str(error).splitlines()[0]})"
    if actual is None:
        actual = {}
    difference = first_difference(expected, actual)
    if difference is not None:
        return f"change {difference}"
    return None


def expected_data(data: Any, edits: list[Edit]) -> Any:
    """Return a copy of `data` with each edited value set at its path and every path that shares it."""
    expected = copy.deepcopy(data)
    for edit in edits:
        for path in (edit.param.path, *edit.param.shared_with):
            _set_path(expected, path, edit.new.value)
    return expected


def _set_path(data: Any, path: ParamPath, value: Any) -> None:
    target = data
    for part in path[:-1]:
        target = target[part] if not isinstance(target, dict) else target[_dict_key(target, part)]
    last = path[-1]
    if isinstance(target, dict):
        target[_dict_key(target, last)] = value
    else:
        target[last] = value


def _dict_key(mapping: dict, part: str | int) -> Any:
    # Paths hold keys as text; a mapping read from YAML may have int or bool keys.
    if part in mapping:
        return part
    for key in mapping:
        if str(key) == str(part):
            return key
    raise KeyError(part)


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Name the first place where two values read from YAML differ in value or type."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(expected) != list(actual):
            return f"the keys of {path or 'the top level'}"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"the length of {path}"
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return None
    if not same_value(expected, actual):
        return f"{path or 'the file'} to {actual!r}"
    return None
