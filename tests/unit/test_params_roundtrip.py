"""Editing one value changes only that value's bytes: comments, quotes, anchors and layout stay."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ct_tui.domain.params import save_value

from tests.unit.params_support import changed_lines, param_at, snapshot_of

PARAMS = b"""\
# Training params, edited by hand and by ct-tui.
seed: 42          # the random seed

base_lr: &lr 0.001
train:
  lr: *lr         # same as base_lr
  layers: [64, 64, 32]   # hidden sizes
  name: "ct model"
  tag: 'v1'
  out_dir: ${paths.root}/model

  epochs: 10
  dropout:
  steps:
    - 100
    - 200
"""


@pytest.fixture
def params_path(tmp_path: Path) -> Path:
    path = tmp_path / "params.yaml"
    path.write_bytes(PARAMS)
    return path


def save(path: Path, text: str, *key: str | int, allow_type_change: bool = False) -> bytes:
    snapshot = snapshot_of(path)
    save_value(snapshot, param_at(snapshot, *key), text, allow_type_change=allow_type_change)
    return path.read_bytes()


def test_edit_changes_only_its_line(params_path: Path) -> None:
    after = save(params_path, "20", "train", "epochs")

    assert changed_lines(PARAMS, after) == [(12, b"  epochs: 10", b"  epochs: 20")]


def test_edit_keeps_comment_on_same_line(params_path: Path) -> None:
    after = save(params_path, "7", "seed")

    assert changed_lines(PARAMS, after) == [(2, b"seed: 42          # the random seed", b"seed: 7          # the random seed")]


def test_flow_list_item_edit(params_path: Path) -> None:
    after = save(params_path, "128", "train", "layers", 1)

    assert changed_lines(PARAMS, after) == [
        (7, b"  layers: [64, 64, 32]   # hidden sizes", b"  layers: [64, 128, 32]   # hidden sizes")
    ]


def test_block_list_item_edit(params_path: Path) -> None:
    after = save(params_path, "250", "train", "steps", 1)

    assert changed_lines(PARAMS, after) == [(16, b"    - 200", b"    - 250")]


def test_double_quoted_string_keeps_quotes(params_path: Path) -> None:
    after = save(params_path, 'big "ct" model', "train", "name")

    assert changed_lines(PARAMS, after) == [(8, b'  name: "ct model"', b'  name: "big \\"ct\\" model"')]
    assert YAML(typ="safe").load(after)["train"]["name"] == 'big "ct" model'


def test_single_quoted_string_keeps_quotes(params_path: Path) -> None:
    after = save(params_path, "v2", "train", "tag")

    assert changed_lines(PARAMS, after) == [(9, b"  tag: 'v1'", b"  tag: 'v2'")]


def test_interpolated_value_edited_as_text(params_path: Path) -> None:
    snapshot = snapshot_of(params_path)
    param = param_at(snapshot, "train", "out_dir")
    assert param.interpolated
    assert param.value == "${paths.root}/model"

    after = save(params_path, "${paths.root}/models/v2", "train", "out_dir")

    assert changed_lines(PARAMS, after) == [
        (10, b"  out_dir: ${paths.root}/model", b"  out_dir: ${paths.root}/models/v2")
    ]


def test_alias_edit_changes_anchor_text(params_path: Path) -> None:
    snapshot = snapshot_of(params_path)
    alias = param_at(snapshot, "train", "lr")
    assert alias.anchor == "lr"
    assert alias.shared_with == (("base_lr",),)

    after = save(params_path, "0.01", "train", "lr")

    assert changed_lines(PARAMS, after) == [(4, b"base_lr: &lr 0.001", b"base_lr: &lr 0.01")]
    data = YAML(typ="safe").load(after)
    assert data["base_lr"] == 0.01
    assert data["train"]["lr"] == 0.01


def test_empty_value_gets_filled(params_path: Path) -> None:
    after = save(params_path, "0.5", "train", "dropout", allow_type_change=True)

    assert changed_lines(PARAMS, after) == [(13, b"  dropout:", b"  dropout: 0.5")]


def test_plain_string_quoted_when_needed(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"model: resnet\n")

    after = save(path, "5", "model")

    assert after == b'model: "5"\n'
    assert YAML(typ="safe").load(after) == {"model": "5"}


def test_string_in_flow_list_quoted(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"names: [a, b]  # two\n")

    after = save(path, "x, y", "names", 0)

    assert after == b'names: ["x, y", b]  # two\n'


def test_crlf_and_bom_kept(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    original = "\ufeff# windows file\r\nseed: 1\r\nlr: 0.1\r\n".encode()
    path.write_bytes(original)

    after = save(path, "0.2", "lr")

    assert after == "\ufeff# windows file\r\nseed: 1\r\nlr: 0.2\r\n".encode()


def test_float_takes_whole_number(params_path: Path) -> None:
    after = save(params_path, "1", "base_lr")

    assert changed_lines(PARAMS, after) == [(4, b"base_lr: &lr 0.001", b"base_lr: &lr 1.0")]


def test_block_string_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"note: |\n  line one\n  line two\n")

    param = param_at(snapshot_of(path), "note")

    assert not param.editable
    assert "multi-line" in (param.read_only or "")


def test_merge_key_values_shared(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"base: &b {x: 1, y: 2}\nrun:\n  <<: *b\n  y: 3\n")
    snapshot = snapshot_of(path)

    merged = param_at(snapshot, "run", "x")
    own = param_at(snapshot, "run", "y")

    assert merged.shared_with == (("base", "x"),)
    assert own.shared_with == ()
    assert own.value == 3
    assert [param.key for param in snapshot.files[0].params].count("run.y") == 1
