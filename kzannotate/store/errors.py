"""Typed errors.

``UserError`` and its subclasses are things a user can cause (a wrong file, a locked project...). The app
and the CLI show their message and never a traceback. Anything else escaping the store is a bug.
"""

from __future__ import annotations


class UserError(Exception):
    """An error the user can cause and fix; ``str(err)`` is a complete, friendly message."""


class ProjectError(UserError):
    """A project file cannot be opened or written."""


class ProjectNotFoundError(ProjectError):
    pass


class ProjectExistsError(ProjectError):
    pass


class NotAProjectError(ProjectError):
    """The file is not a kzannotate project (not SQLite, or another program's database)."""


class NewerVersionError(ProjectError):
    """The file was written by a newer kzannotate; we refuse to touch it."""


class CorruptProjectError(ProjectError):
    pass


class ProjectLockedError(ProjectError):
    """Another window or program holds the project open for writing."""


class ReadOnlyError(ProjectError):
    """The project (or its folder) cannot be written."""


class ValidationError(UserError):
    """A value does not fit the data model (bad offsets, quote mismatch, unknown letter...)."""


class QuoteMismatchError(ValidationError):
    pass


class NotFoundError(UserError):
    """A row the caller named is not (or no longer) in the project."""


class DuplicateError(ValidationError):
    """A name or text that must be unique is already present."""

    def __init__(self, message: str, existing_id: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class ImportRefusedError(UserError):
    """A file offered for import was refused (binary, empty, too large, undecodable...)."""


class DuplicateSourceError(DuplicateError, ImportRefusedError):
    """The same text (same sha256) is already a source in the project."""
