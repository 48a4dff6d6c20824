"""Read a params file into `Param` nodes that know where their text sits in the file.

The file is composed with ruamel.yaml's round-trip loader, whose nodes carry
start and end marks, and each node's value is built by ruamel.yaml's safe
constructor, which is how DVC reads params (YAML 1.2). The scanner's scalar
tokens give the exact span of each scalar's text, without its anchor or tag,
so an edit can replace those characters and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ct_tui.domain.params.errors import ParamsFileInvalid
from ct_tui.domain.params.model import LIST, MAPPING, SCALAR, Param, ParamPath, ParamsFile, format_key
from ct_tui.domain.params.yaml11 import yaml11_difference

_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"


def decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParamsFileInvalid(
            f"{name} is not UTF-8 ({error}); DVC reads params files as UTF-8, save it as UTF-8"
        ) from error


def parse_params_file(path: Path, name: str, raw: bytes) -> ParamsFile:
    """Parse the bytes of a params file; raise ParamsFileInvalid when DVC could not read it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.tokens import ScalarToken

    text = decode(raw, name)
    try:
        root = YAML(typ="rt").compose(text)
        token_starts = {
            token.end_mark.index: token.start_mark.index
            for token in YAML(typ="rt").scan(text)
            if isinstance(token, ScalarToken)
        }
    except YAMLError as error:
        raise ParamsFileInvalid(f"{name} is not valid YAML: {error}") from error

    constructor = YAML(typ="safe", pure=True).constructor
    walker = _Walker(text=text, file=name, token_starts=token_starts, constructor=constructor)
    # Walk before constructing the values: the constructor rewrites mappings
    # that use merge keys (`<<: *base`) in place.
    if root is not None and root.id == "mapping":
        walker.walk_mapping_items(root, ())
    try:
        data = constructor.construct_object(root, deep=True) if root is not None else {}
    except YAMLError as error:
        raise ParamsFileInvalid(f"{name} is not valid YAML: {error}") from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParamsFileInvalid(
            f"{name} contains a {type(data).__name__} at the top level; "
            "DVC expects a mapping of param names to values"
        )
    params = walker.finish(constructor.constructed_objects)
    return ParamsFile(path=path, name=name, raw=raw, text=text, data=data, params=tuple(params))


@dataclass
class _Walker:
    """Turns composed nodes into `Param`s, tracking which paths share one node."""

    text: str
    file: str
    token_starts: dict[int, int]
    constructor: Any
    params: list[Param] = field(default_factory=list)
    nodes: list[Any] = field(default_factory=list)
    paths_by_node: dict[int, list[ParamPath]] = field(default_factory=dict)
    anchor_by_node: dict[int, str] = field(default_factory=dict)
    stack: list[int] = field(default_factory=list)

    def walk_mapping_items(self, node: Any, path: ParamPath) -> None:
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        own_keys: set[str] = set()
        merged: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                merged.extend(source for source in sources if isinstance(source, MappingNode))
                continue
            own_keys.add(key_node.value)
            key = self._key_of(key_node)
            self.walk(value_node, (*path, key), key_node)
        # Keys merged with `<<: *base` read the same nodes as the anchored mapping.
        for source in merged:
            for key_node, value_node in source.value:
                if key_node.value not in own_keys and key_node.tag != _MERGE_TAG:
                    own_keys.add(key_node.value)
                    self.walk(value_node, (*path, self._key_of(key_node)), key_node)

    def walk(self, node: Any, path: ParamPath, key_node: Any | None) -> None:
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        node_id = id(node)
        if node_id in self.stack:
            raise ParamsFileInvalid(
                f"{self.file}: {format_key(path)} refers to itself through an alias; DVC cannot read it"
            )
        seen_before = node_id in self.paths_by_node
        self.paths_by_node.setdefault(node_id, []).append(path)
        if getattr(node, "anchor", None):
            self.anchor_by_node[node_id] = node.anchor
        alias_of = self.paths_by_node[node_id][0] if seen_before else None

        self.nodes.append(node)
        if isinstance(node, MappingNode):
            self.params.append(Param(self.file, path, MAPPING, None, alias_of=alias_of))
            self.stack.append(node_id)
            self.walk_mapping_items(node, path)
            self.stack.pop()
        elif isinstance(node, SequenceNode):
            self.params.append(Param(self.file, path, LIST, None, alias_of=alias_of))
            self.stack.append(node_id)
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index), None)
            self.stack.pop()
        else:
            self.params.append(self._scalar(node, path, key_node, alias_of))

    def _key_of(self, key_node: Any) -> str:
        from ruamel.yaml.nodes import ScalarNode

        if not isinstance(key_node, ScalarNode):
            raise ParamsFileInvalid(
                f"{self.file} line {key_node.start_mark.line + 1}: a key must be a plain name, not a list or mapping"
            )
        return str(self._construct(key_node))

    def _construct(self, scalar_node: Any) -> Any:
        from ruamel.yaml.error import YAMLError

        try:
            return self.constructor.construct_object(scalar_node)
        except YAMLError as error:
            raise ParamsFileInvalid(f"{self.file} is not valid YAML: {error}") from error

    def _scalar(self, node: Any, path: ParamPath, key_node: Any | None, alias_of: ParamPath | None) -> Param:
        value = self._construct(node)
        end = node.end_mark.index
        style = node.style or None
        read_only = None
        insert_prefix = ""
        span: tuple[int, int] | None
        if node.value == "" and style is None and node.tag == _NULL_TAG:
            span, read_only = self._empty_value_span(key_node)
            insert_prefix = " "
        elif style in ("|", ">"):
            span = (self.token_starts.get(end, node.start_mark.index), end)
            read_only = "a multi-line block string: edit it in a text editor"
        else:
            start = self.token_starts.get(end)
            span = (start, end) if start is not None else None
            if span is None:
                read_only = "ct-tui could not locate this value's text in the file"
        source = self.text[span[0] : span[1]] if span else ""

        notes = []
        if style is None and source:
            note = yaml11_difference(source, value)
            if note:
                notes.append(note)
        if key_node is not None and not key_node.style:
            key_value = self._construct(key_node)
            key_note = yaml11_difference(key_node.value, key_value)
            if key_note:
                notes.append("key: " + key_note)
        return Param(
            self.file,
            path,
            SCALAR,
            value,
            source=source,
            span=span,
            insert_prefix=insert_prefix,
            style=style,
            alias_of=alias_of,
            yaml11_note="; ".join(notes) or None,
            read_only=read_only,
        )

    def _empty_value_span(self, key_node: Any | None) -> tuple[tuple[int, int] | None, str | None]:
        """Place a new value right after the colon of `key:`, which has no value text."""
        if key_node is None:
            return None, "an empty list item: write a value in a text editor first"
        colon = self.text.find(":", key_node.end_mark.index)
        newline = self.text.find("\n", key_node.end_mark.index)
        if colon < 0 or (0 <= newline < colon):
            return None, "ct-tui could not locate this empty value in the file"
        return (colon + 1, colon + 1), None

    def finish(self, values: dict[Any, Any]) -> list[Param]:
        """Fill in collection values, anchors and the paths that share each node.

        `values` maps each node to what the safe constructor built from it.
        """
        shared_by_path: dict[ParamPath, tuple[tuple[ParamPath, ...], str | None]] = {}
        for node_id, paths in self.paths_by_node.items():
            if len(paths) > 1:
                anchor = self.anchor_by_node.get(node_id)
                for path in paths:
                    others = tuple(other for other in paths if other != path)
                    shared_by_path[path] = (others, anchor)
        finished = []
        for param, node in zip(self.params, self.nodes):
            if param.kind != SCALAR:
                param = replace(param, value=values.get(node))
            if param.path in shared_by_path:
                others, anchor = shared_by_path[param.path]
                param = replace(param, shared_with=others, anchor=anchor)
            finished.append(param)
        return finished
