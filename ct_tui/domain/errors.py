"""Errors the domain layer raises for the user to read, each with a short title."""


class CtTuiError(Exception):
    """A failure whose message is written for the user: what failed, on which value, what to do."""

    title = "Error"
    """A few words for the heading of the error dialog."""


class DvcError(CtTuiError):
    """A dvc command failed."""

    title = "DVC failed"


class GitError(CtTuiError):
    """A git operation failed."""

    title = "git failed"


class TrackingError(CtTuiError):
    """The MLflow tracking store could not be read or written."""

    title = "MLflow tracking store"
