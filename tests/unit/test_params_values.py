"""New values keep their type; YAML 1.1 look-alikes are read as DVC reads them and marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from dvc.utils.serialize import parse_yaml

from ct_tui.domain.params import ValueRejected, save_value
from ct_tui.domain.params.values import validate_text, value_from_object

from tests.unit.params_support import param_at, snapshot_of

PARAMS = b"lr: 0.01\nepochs: 10\nuse_amp: true\nname: resnet\n"


@pytest.fixture
def params_path(tmp_path: Path) -> Path:
    path = tmp_path / "params.yaml"
    path.write_bytes(PARAMS)
    return path


@pytest.mark.parametrize(
    ("key", "text", "expected_type"),
    [
        ("lr", "abc", "float"),
        ("epochs", "1.5", "int"),
        ("use_amp", "maybe", "bool"),
    ],
)
def test_rejected_value_leaves_file(params_path: Path, key: str, text: str, expected_type: str) -> None:
    snapshot = snapshot_of(params_path)

    with pytest.raises(ValueRejected) as caught:
        save_value(snapshot, param_at(snapshot, key), text)

    message = str(caught.value)
    assert repr(text) in message
    assert f"expected a {expected_type}" in message or f"expected an {expected_type}" in message
    assert params_path.read_bytes() == PARAMS


def test_rejection_names_example(params_path: Path) -> None:
    param = param_at(snapshot_of(params_path), "epochs")

    with pytest.raises(ValueRejected) as caught:
        validate_text(param, "1.5")

    assert "such as 10" in str(caught.value)
    assert caught.value.new_type == "float"


def test_empty_value_says_what_to_type(params_path: Path) -> None:
    param = param_at(snapshot_of(params_path), "epochs")

    with pytest.raises(ValueRejected) as caught:
        validate_text(param, "  ")

    assert str(caught.value) == "Empty value; type an int such as 10"
    assert caught.value.new_type is None


def test_long_value_not_used_as_example(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"lr: 0.00012345678901234567890\n")
    param = param_at(snapshot_of(path), "lr")

    with pytest.raises(ValueRejected) as caught:
        validate_text(param, "fast")

    assert str(caught.value) == "'fast' is a str; expected a float such as 0.001"


def test_unparsable_value_offers_no_type_change(params_path: Path) -> None:
    param = param_at(snapshot_of(params_path), "epochs")

    with pytest.raises(ValueRejected) as caught:
        validate_text(param, "[1, 2]")

    assert caught.value.new_type is None


@pytest.mark.parametrize("text", ["0.001", "1e-3", "1.0e-3", ".5", "-2.5", ".inf"])
def test_float_accepts_yaml12_forms(params_path: Path, text: str) -> None:
    param = param_at(snapshot_of(params_path), "lr")

    assert isinstance(validate_text(param, text).value, float)


@pytest.mark.parametrize("text", ["yes", "on", "no", "off", "1", "y"])
def test_bool_rejects_other_words(params_path: Path, text: str) -> None:
    param = param_at(snapshot_of(params_path), "use_amp")

    with pytest.raises(ValueRejected) as caught:
        validate_text(param, text)

    assert "expected a bool such as true" in str(caught.value)


def test_bool_rejection_explains_yaml12(params_path: Path) -> None:
    param = param_at(snapshot_of(params_path), "use_amp")

    with pytest.raises(ValueRejected) as caught:
        validate_text(param, "yes")

    assert "YAML 1.2 reads only true and false as bool" in str(caught.value)


def test_type_change_after_confirm(params_path: Path) -> None:
    snapshot = snapshot_of(params_path)

    save_value(snapshot, param_at(snapshot, "epochs"), "1.5", allow_type_change=True)

    assert params_path.read_bytes() == PARAMS.replace(b"epochs: 10", b"epochs: 1.5")


def test_yaml11_lookalikes_read_as_dvc(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"lr: 1e-3\nuse_amp: on\ncountry: no\nseed: 42\nmode: 'on'\n")
    snapshot = snapshot_of(path)

    dvc_data = parse_yaml(path.read_text(), str(path))

    assert dvc_data == {"lr": 0.001, "use_amp": "on", "country": "no", "seed": 42, "mode": "on"}
    assert snapshot.files[0].data == dvc_data
    assert isinstance(param_at(snapshot, "lr").value, float)


@pytest.mark.parametrize(
    ("key", "shown"),
    [("lr", "str '1e-3'"), ("use_amp", "bool True"), ("country", "bool False")],
)
def test_yaml11_lookalikes_marked(tmp_path: Path, key: str, shown: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"lr: 1e-3\nuse_amp: on\ncountry: no\nseed: 42\nmode: 'on'\n")

    note = param_at(snapshot_of(path), key).yaml11_note

    assert note is not None
    assert shown in note


@pytest.mark.parametrize("key", ["seed", "mode"])
def test_unambiguous_values_unmarked(tmp_path: Path, key: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_bytes(b"lr: 1e-3\nuse_amp: on\ncountry: no\nseed: 42\nmode: 'on'\n")

    assert param_at(snapshot_of(path), key).yaml11_note is None


@pytest.mark.parametrize(
    ("source", "shown"),
    [("010", "int 8"), ("0o17", "str '0o17'"), ("1:30", "int 90"), ("y", "bool true")],
)
def test_more_yaml11_differences(tmp_path: Path, source: str, shown: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(f"value: {source}\n")

    note = param_at(snapshot_of(path), "value").yaml11_note

    assert note is not None
    assert shown in note


def test_ambiguous_key_marked(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text("on: 1\n")

    note = param_at(snapshot_of(path), "on").yaml11_note

    assert note is not None
    assert note.startswith("key: ")


def test_typed_exponent_gets_yaml11_hint(params_path: Path) -> None:
    param = param_at(snapshot_of(params_path), "lr")

    new = validate_text(param, "1e-3")

    assert new.note is not None
    assert "1.0e-3 reads as the same float in both" in new.note


@pytest.mark.parametrize(
    ("key", "given", "expected"),
    [
        ("lr", "0.5", 0.5),
        ("lr", "1e-05", 1e-05),
        ("lr", "inf", float("inf")),
        ("epochs", "300", 300),
        ("use_amp", "False", False),
        ("name", "42", "42"),
        ("lr", 0.25, 0.25),
    ],
)
def test_mlflow_strings_parsed(params_path: Path, key: str, given: object, expected: object) -> None:
    param = param_at(snapshot_of(params_path), key)

    new = value_from_object(param, given)

    assert new.value == expected
    assert type(new.value) is type(expected)
