"""ct-tui: continuous training from the terminal, on DVC and MLflow."""

__version__ = "0.1.0"
