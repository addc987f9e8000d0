"""Reading answers from files and `--set KEY=VALUE` options, with errors that point at the line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scaffolder.errors import InvalidInput


def load_answers_file(path: Path) -> dict[str, Any]:
    """A YAML or JSON mapping of question ids to answers."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read answers file {path}: {error.strerror}") from error
    data = _parse_json(path, text) if path.suffix.lower() == ".json" else _parse_yaml(path, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(
            f"{path}: expected a mapping of question ids to answers, got {type(data).__name__}"
        )
    return {str(key): value for key, value in data.items()}


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{path}, line {error.lineno}: malformed JSON: {error.msg}") from error


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{path}{line}: malformed YAML: {error.problem}") from error
    except yaml.YAMLError as error:
        raise InvalidInput(f"{path}: malformed YAML: {error}") from error


def parse_set_options(options: Iterable[str]) -> dict[str, str]:
    """`--set key=value` pairs; later ones win, as on most command lines."""
    parsed = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set expects KEY=VALUE, got {option!r}")
        parsed[key.strip()] = value
    return parsed
