"""Settings from pyproject.toml, ct-tui.toml and environment variables."""

from pathlib import Path

import pytest

from ct_tui.settings import Settings, SettingsError, load_settings


def test_defaults_without_files(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {}) == Settings()


def test_precedence_pyproject_file_env(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ct-tui]\nmodel_name = "a"\nalias = "prod"\ngate_metric = "f1"\n'
    )
    (tmp_path / "ct-tui.toml").write_text('model_name = "b"\n')
    settings = load_settings(tmp_path, {"CT_TUI_GATE_METRIC": "roc_auc"})
    assert settings.model_name == "b"
    assert settings.alias == "prod"
    assert settings.gate_metric == "roc_auc"


def test_invalid_direction_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="'sideways'.*'higher' or 'lower'"):
        load_settings(tmp_path, {"CT_TUI_GATE_DIRECTION": "sideways"})


def test_unknown_key_named(tmp_path: Path) -> None:
    (tmp_path / "ct-tui.toml").write_text('modle_name = "x"\n')
    with pytest.raises(SettingsError, match="modle_name"):
        load_settings(tmp_path, {})
