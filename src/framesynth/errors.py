"""Errors framesynth raises on purpose.

Every error a user can cause derives from :class:`FramesynthError`. Its string form is one
line that names the file and place (when known), says what is wrong and ends with a stable
code, e.g. ``interview.docx: not a valid Word file (bad zip) [FS102]``. The CLI prints that
line and exits non-zero; the web layer turns it into its JSON error shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framesynth.store.engine import display_location, is_url


class FramesynthError(Exception):
    """Base class: a problem the user can fix."""

    code = "FS000"

    def __init__(self, message: str, *, path: str | Path | None = None, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = display_location(path) if path is not None else None  # no password
        self.where = where

    def __str__(self) -> str:
        place = ", ".join(part for part in (self._path_name(), self.where) if part)
        prefix = f"{place}: " if place else ""
        return f"{prefix}{self.message} [{self.code}]"

    def _path_name(self) -> str | None:
        if self.path and is_url(self.path):
            return self.path  # a database URL is named whole (its password hidden)
        return Path(self.path).name if self.path else None

    def details(self) -> dict[str, Any]:
        """More than the message, for the web API's error object (none by default)."""
        return {}


class ProjectError(FramesynthError):
    """The project (file or database) cannot be created, opened or upgraded."""

    code = "FS001"


class NewerSchema(ProjectError):
    """The project file was made by a newer framesynth; nothing is written to it."""

    code = "FS004"


class ReadOnlyProject(ProjectError):
    """The project file (or its folder) is read-only, so nothing can be changed."""

    code = "FS005"


class CopyMismatch(ProjectError):
    """A copied project does not read back the same as its source; the copy was not kept."""

    code = "FS006"


class NotFound(FramesynthError):
    """A named source, participant, memo ... does not exist in the project."""

    code = "FS002"


class InvalidArgument(FramesynthError):
    """An option or argument has a value framesynth cannot use."""

    code = "FS003"


class UnsupportedFormat(FramesynthError):
    """The file's suffix has no importer."""

    code = "FS101"


class CorruptFile(FramesynthError):
    """The file claims a format but cannot be read as it."""

    code = "FS102"


class UndecodableText(FramesynthError):
    """No supported text encoding decodes the file."""

    code = "FS103"


class EmptySource(FramesynthError):
    """The file holds no text."""

    code = "FS104"


class DuplicateSource(FramesynthError):
    """The same file (by checksum) is already in the project or in the batch."""

    code = "FS105"


class UnsafeArchive(FramesynthError):
    """A zip (.docx, .odt, .xlsx, .qdpx) member is larger or more compressed than allowed."""

    code = "FS106"


class UnsafeXml(FramesynthError):
    """An XML document declares entities or refers to an external DTD."""

    code = "FS107"


class UploadTooLarge(FramesynthError):
    """An upload passes the size limit (``FRAMESYNTH_MAX_UPLOAD_MB``)."""

    code = "FS108"


class ClusterUnreachable(FramesynthError):
    """A Dask scheduler address that is malformed or that nothing answers at; nothing of
    the project was read or written."""

    code = "FS310"


class CaseDataError(FramesynthError):
    """A row of a cases table is malformed or refers to something unknown."""

    code = "FS110"


class ImportBatchError(FramesynthError):
    """One or more files of a batch failed; nothing of the batch was imported."""

    code = "FS100"

    def __init__(self, errors: Sequence[FramesynthError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} file(s) failed; nothing was imported")

    def __str__(self) -> str:
        lines = [str(error) for error in self.errors]
        lines.append(f"{self.message} [{self.code}]")
        return "\n".join(lines)


class NamesLeaked(FramesynthError):
    """An output still holds names the project knows; it was removed, not published."""

    code = "FS610"

    def __init__(self, lines: Sequence[str], message: str):
        self.lines = list(lines)
        super().__init__(message)

    def __str__(self) -> str:
        return "\n".join([*self.lines, f"{self.message} [{self.code}]"])


class EditConflict(FramesynthError):
    """Someone changed the thing being edited since the editor read it; nothing was saved.

    ``current`` is what is stored now (for a matrix cell: its ``summary``, ``status``,
    ``version``, ``updated_by`` and ``updated_at``), so the person can compare it with
    their own text before saving again.
    """

    code = "FS410"

    def __init__(self, message: str, *, current: dict[str, Any] | None = None):
        super().__init__(message)
        self.current = current or {}

    def details(self) -> dict[str, Any]:
        return {"current": self.current}
