"""One exception hierarchy, caught once at the CLI edge and turned into an exit code."""

from __future__ import annotations

from collections.abc import Iterable


class ScaffolderError(Exception):
    """Anything scaffolder refuses or fails to do, with a message fit for the user."""

    exit_code = 1


class InvalidInput(ScaffolderError):
    """The user asked for something that is not allowed; nothing was written."""

    exit_code = 2


class UnknownQuestion(InvalidInput):
    def __init__(self, question_id: str, known: Iterable[str]):
        super().__init__(
            f"unknown question id {question_id!r}; known ids: {', '.join(sorted(known))}"
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


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str) else repr(value)
