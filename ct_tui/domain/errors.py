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


class TrackingUnreachable(TrackingError):
    """No connection to the tracking server: it is down, or the URI or tunnel is wrong."""

    title = "Tracking server unreachable"


class TrackingTimeout(TrackingError):
    """The tracking server accepted the connection but sent no response in time."""

    title = "Tracking server not responding"


class TrackingAuthError(TrackingError):
    """The tracking server rejected the credentials (HTTP 401) or the user's permission (HTTP 403)."""

    title = "Tracking server denied access"
