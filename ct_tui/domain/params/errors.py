"""Errors of params editing, each written for the user to read in the error dialog."""

from __future__ import annotations

from ct_tui.domain.errors import CtTuiError


class ParamsError(CtTuiError):
    """A params file could not be read, edited or written."""

    title = "Params"


class ParamsFileInvalid(ParamsError):
    """A params file is not a YAML mapping that ct-tui can edit."""

    title = "Invalid params file"


class ValueRejected(ParamsError):
    """A new value does not parse, or does not keep the type of the old value.

    Nothing was written. `new_type` is set when the text is a valid YAML value
    of another type, so the caller may offer an explicit type change.
    """

    title = "Value rejected"

    def __init__(self, message: str, *, value: str, expected: str, new_type: str | None = None) -> None:
        super().__init__(message)
        self.value = value
        """The text the user entered."""
        self.expected = expected
        """The type the value must keep."""
        self.new_type = new_type
        """The YAML 1.2 type of `value` when it parses but has another type, else None."""


class ParamsConflict(ParamsError):
    """The file on disk changed after ct-tui loaded it; nothing was written."""

    title = "Params file changed on disk"


class ParamsWriteError(ParamsError):
    """Writing a params file failed, or the file read back differs from what was written."""

    title = "Params not saved"
