"""One exception hierarchy, caught once at the CLI edge and turned into an exit code.

Every error scaffolder raises is defined here. Messages echo what the user gave, cut to
`SHOWN_CHARS` characters, so a huge value never floods the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

#: How much of a user's value an error message repeats.
SHOWN_CHARS = 200


class ScaffolderError(Exception):
    """Anything scaffolder refuses or fails to do, with a message fit for the user."""

    exit_code = 1


class InvalidInput(ScaffolderError):
    """The user asked for something that is not allowed; nothing was written."""

    exit_code = 2


class UnknownQuestion(InvalidInput):
    def __init__(self, question_id: str, known: Iterable[str]):
        super().__init__(
            f"unknown question id {shorten(question_id)!r}; known ids: {', '.join(sorted(known))}"
        )


class InvalidAnswer(InvalidInput):
    def __init__(self, question_id: str, value: object, allowed: Iterable[object]):
        shown = ", ".join(_show(v) for v in allowed)
        super().__init__(f"invalid value {_show(value)} for {question_id!r}; allowed: {shown}")


class MissingAnswers(InvalidInput):
    """Raised without a terminal: nothing may wait for input there."""

    def __init__(self, missing: Iterable[str]):
        self.missing = list(missing)
        super().__init__(
            "no terminal to ask on, and these answers are missing: "
            + ", ".join(self.missing)
            + "\nPass them with --set KEY=VALUE or --answers FILE, or use --defaults."
        )


class RenderFailed(ScaffolderError):
    """Rendering broke halfway; the destination was left untouched."""


class FileSystemFailed(ScaffolderError):
    """Reading or writing a file failed (permissions, disk full, a name too long); the
    operation was undone, and the message carries the system's own reason."""

    exit_code = 2

    @classmethod
    def from_os_error(cls, error: OSError, doing: str) -> FileSystemFailed:
        where = f" ({error.filename})" if error.filename else ""
        reason = error.strerror or str(error)
        return cls(f"{doing}: {reason}{where}")


class RollbackFailed(FileSystemFailed):
    """Undoing a half-done move failed too; the user's replaced files are kept in `kept`."""

    def __init__(self, message: str, kept: object):
        super().__init__(message)
        self.kept = kept


class GitFailed(ScaffolderError):
    """A git command failed; the message is git's own reason, on one line."""

    exit_code = 2


class VersionNotFound(ScaffolderError):
    """The source does not hold the requested version (or cannot be reached)."""

    exit_code = 2


class UntrustedTemplate(ScaffolderError):
    """A template would run commands and nobody said it may; nothing was written."""

    exit_code = 2


class NotAGitProject(InvalidInput):
    """Updating rewrites files; without git the user could not review or undo it."""


class DirtyProject(InvalidInput):
    """Uncommitted changes would mix with the update's and could not be told apart."""


class MigrationFailed(ScaffolderError):
    """A migration command exited non-zero; the update stopped there."""


class ReleaseConflict(ScaffolderError):
    """A version tag already holds other templates: releases are immutable."""


def shorten(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as text, cut to `limit` characters with a note of how much was left out."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def one_line(text: str) -> str:
    """A multi-line tool message (git's stderr) as one line: its non-empty lines joined."""
    return shorten("; ".join(line.strip() for line in text.splitlines() if line.strip()), 500)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return shorten(value) if isinstance(value, str) else shorten(repr(value))
