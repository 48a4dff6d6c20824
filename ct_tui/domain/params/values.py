"""Turn the text a user typed into a new value of the same type, and into YAML text.

A value is parsed with YAML 1.2 rules through ruamel.yaml, the way DVC reads
params. It must keep the type of the value it replaces. An int stays an int.
A float accepts `0.001`, `1e-3` and a whole number, which is written as `2.0`.
A bool accepts only true or false. A string param takes the typed text as the
string itself, quoted when plain text would read as another type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ct_tui.domain.params.errors import ValueRejected
from ct_tui.domain.params.model import Param, type_name
from ct_tui.domain.params.yaml11 import yaml11_difference

EXAMPLES = {
    "int": "200",
    "float": "0.001",
    "bool": "true",
    "str": "some text",
    "null": "null",
    "date": "2024-01-31",
    "timestamp": "2024-01-31T12:00:00",
}
"""An example of each type for rejection messages, used when the current value
is empty, quoted, multi-line or long."""

MAX_EXAMPLE_LENGTH = 20
"""A current value longer than this is not quoted as the example in a message."""

# Python's spellings, as MLflow stores float params, mapped to YAML 1.2's.
_PYTHON_FLOATS = {"inf": ".inf", "+inf": ".inf", "-inf": "-.inf", "nan": ".nan"}

_YAML11_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}


@dataclass(frozen=True)
class NewValue:
    """A validated value and the YAML texts that may write it, best first."""

    value: Any
    """The value as DVC will read it."""

    candidates: tuple[str, ...]
    """YAML texts for the value, in the order to try them; the first that round-trips is written."""

    note: str | None = None
    """Something the user should know about how the value is written, or None."""


def parse_scalar(text: str) -> tuple[bool, Any]:
    """Read `text` as one YAML 1.2 plain scalar, as DVC would read it after a colon.

    Returns (False, None) when the text is not exactly one plain scalar: a
    list, a mapping, a comment, a tag, an anchor or quotes around it.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.tokens import ScalarToken

    stripped = text.strip()
    if stripped == "" or "\n" in stripped or "\r" in stripped:
        return False, None
    try:
        tokens = [token for token in YAML(typ="rt").scan(stripped) if isinstance(token, ScalarToken)]
        value = YAML(typ="safe", pure=True).load(stripped)
    except YAMLError:
        return False, None
    if len(tokens) != 1 or not tokens[0].plain:
        return False, None
    if tokens[0].start_mark.index != 0 or tokens[0].end_mark.index != len(stripped):
        return False, None
    if isinstance(value, (list, dict)):
        return False, None
    return True, value


def validate_text(param: Param, text: str, *, allow_type_change: bool = False) -> NewValue:
    """Check a new value for `param` typed by a user; raise ValueRejected, writing nothing.

    With `allow_type_change` (after an explicit confirm), any valid YAML 1.2
    scalar is accepted and written as typed.
    """
    old_type = param.type_name
    if old_type == "str" and not allow_type_change:
        return string_value(text, param.style)

    stripped = text.strip()
    if stripped == "":
        raise ValueRejected(f"Empty value; type {_expected(param)}", value=text, expected=old_type)
    if old_type == "float" and stripped.lower() in _PYTHON_FLOATS:
        stripped = _PYTHON_FLOATS[stripped.lower()]
    parsed, value = parse_scalar(stripped)
    if not parsed:
        raise ValueRejected(
            f"{stripped!r} is not a single YAML value; expected {_expected(param)}",
            value=text,
            expected=old_type,
        )
    new_type = type_name(value)
    if allow_type_change:
        if new_type == "str":
            return string_value(stripped, param.style)
        return NewValue(value, (stripped,), _yaml11_warning(stripped, value))

    if new_type == old_type:
        return NewValue(value, (stripped,), _yaml11_warning(stripped, value))
    if old_type == "float" and new_type == "int" and _is_decimal(stripped):
        written = stripped + ".0"
        return NewValue(float(value), (written,), f"written as {written} to keep the float type")
    raise ValueRejected(
        _type_message(stripped, new_type, param),
        value=text,
        expected=old_type,
        new_type=new_type,
    )


def value_from_object(param: Param, value: Any) -> NewValue:
    """Check a new value given as a Python object or as MLflow's string; raise ValueRejected.

    MLflow stores every param as a string: a string param takes it as is,
    other types parse it with YAML 1.2 rules (`True` and `None` included,
    as Python writes them).
    """
    old_type = param.type_name
    if isinstance(value, str):
        if old_type == "null" and value in ("None", ""):
            return NewValue(None, ("null",))
        if old_type == "bool" and value in ("True", "False"):
            value = value == "True"
        else:
            return validate_text(param, value)
    if type_name(value) == "str":
        return string_value(value, param.style)
    text = object_text(value)
    if text is None:
        raise ValueRejected(
            f"{value!r} is {_article(type_name(value))} {type_name(value)}; expected {_expected(param)}",
            value=repr(value),
            expected=old_type,
        )
    return validate_text(param, text)


def object_text(value: Any) -> str | None:
    """Return YAML 1.2 text for a scalar Python value, or None for other values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    return None


def string_value(content: str, style: str | None) -> NewValue:
    """Return the texts that write `content` as a string, in the original style first."""
    candidates: list[str] = []
    note = None
    if style is None:
        parsed, value = parse_scalar(content)
        if parsed and value == content and content == content.strip():
            candidates.append(content)
        else:
            note = f"quoted to keep it a string: {content!r} would not read as the same string unquoted"
    if style == "'" and "\n" not in content:
        candidates.append("'" + content.replace("'", "''") + "'")
    # JSON strings are valid YAML 1.2 double-quoted scalars.
    candidates.append(json.dumps(content, ensure_ascii=False))
    return NewValue(content, tuple(dict.fromkeys(candidates)), note)


def _is_decimal(text: str) -> bool:
    digits = text[1:] if text[:1] in "+-" else text
    return digits.isdigit()


def _expected(param: Param) -> str:
    """Name the type `param` must keep, with its current value as the example."""
    expected = param.type_name
    return f"{_article(expected)} {expected} such as {_example(param)}"


def _example(param: Param) -> str:
    source = param.source
    if source and len(source) <= MAX_EXAMPLE_LENGTH and param.style is None and "\n" not in source:
        return source
    return EXAMPLES.get(param.type_name, "the old value")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _type_message(text: str, new_type: str, param: Param) -> str:
    if param.type_name == "bool" and text.lower() in _YAML11_BOOL_WORDS:
        return (
            f"{text!r} is a str to DVC (YAML 1.2 reads only true and false as bool); "
            f"expected {_expected(param)}"
        )
    return f"{text!r} is {_article(new_type)} {new_type}; expected {_expected(param)}"


def _yaml11_warning(text: str, value: Any) -> str | None:
    difference = yaml11_difference(text, value)
    if difference and isinstance(value, float) and "e" in text.lower() and "." not in text:
        mantissa, _, exponent = text.lower().partition("e")
        return f"{difference}; {mantissa}.0e{exponent} reads as the same float in both"
    return difference
