"""Find plain scalars that YAML 1.1 readers read differently from DVC's YAML 1.2.

DVC and this project's training code read params with ruamel.yaml, which
follows YAML 1.2: `on`, `yes` and `no` are strings, `1e-3` is a float, `010`
is the integer 10. PyYAML, and most other YAML 1.1 readers, read `on` as True,
`1e-3` as a string and `010` as 8, so a script that loads params.yaml with
`yaml.safe_load` can see other values than the ones DVC tracked.
"""

from __future__ import annotations

import logging
from typing import Any

from ct_tui.domain.params.model import type_name

log = logging.getLogger(__name__)

# The YAML 1.1 bool type lists y, Y, n and N too. PyYAML reads them as
# strings, but other YAML 1.1 readers may follow the type list.
_SPEC_ONLY_BOOLS = {"y": True, "Y": True, "n": False, "N": False}


def read_as_yaml11(source: str) -> tuple[bool, Any]:
    """Read a plain scalar the way PyYAML's safe loader does.

    Returns (True, value), or (False, None) when PyYAML cannot read the text
    as a single scalar.
    """
    import yaml

    try:
        value = yaml.safe_load(source)
    except (yaml.YAMLError, ValueError) as error:
        log.debug("PyYAML cannot read %r: %s", source, error)
        return False, None
    if isinstance(value, (dict, list)):
        return False, None
    return True, value


def yaml11_difference(source: str, value: Any) -> str | None:
    """Describe how YAML 1.1 readers read a plain scalar whose YAML 1.2 value is `value`.

    Returns None when they read the same value of the same type. Quoted and
    block scalars are strings to every reader, so callers pass plain ones only.
    """
    text = source.strip()
    if text in _SPEC_ONLY_BOOLS:
        spec_value = "true" if _SPEC_ONLY_BOOLS[text] else "false"
        return f"YAML 1.1 readers other than PyYAML may read {text} as bool {spec_value}"
    readable, value11 = read_as_yaml11(text)
    if not readable:
        return f"YAML 1.1 readers such as PyYAML cannot read {text} as one value"
    if same_value(value, value11):
        return None
    return f"YAML 1.1 readers such as PyYAML read {text} as {type_name(value11)} {value11!r}"


def same_value(left: Any, right: Any) -> bool:
    """Compare two values read from YAML by value and by type, so 1, 1.0 and True differ."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_value(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same_value, left, right))
    if isinstance(left, float) and left != left:
        return right != right
    return left == right
