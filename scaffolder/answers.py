"""Reading answer-shaped input: answers files, team configs, recorded answers, `--set` options.

Every such file is input from someone else (a teammate's clone, a downloaded config), so it
is read within bounds: at most `MAX_INPUT_BYTES`, UTF-8 (a bad byte is named by its offset),
YAML without aliases (a kilobyte of nested aliases would expand to gigabytes), and errors
that point at the line.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from scaffolder.errors import InvalidInput, shorten

MAX_INPUT_BYTES = 1_000_000


def load_answers_file(path: Path) -> dict[str, Any]:
    """A YAML or JSON mapping of question ids to answers."""
    text = read_input_text(path, "answers file")
    data = parse_json(path, text) if path.suffix.lower() == ".json" else parse_yaml(path, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(
            f"{path}: expected a mapping of question ids to answers, got {type(data).__name__}"
        )
    return {str(key): value for key, value in data.items()}


def read_input_text(path: Path, what: str) -> str:
    """The text of an input file: a regular file of at most 1 MB, in UTF-8."""
    try:
        with path.open("rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise InvalidInput(f"cannot read {what} {path}: it is not a regular file")
            data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise InvalidInput(f"cannot read {what} {path}: {error.strerror}") from error
    if len(data) > MAX_INPUT_BYTES:
        raise InvalidInput(
            f"{what} {path} is larger than {MAX_INPUT_BYTES // 1_000_000} MB; "
            "an answers file or config is a few kilobytes"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(
            f"{path}, line {line}: not UTF-8 text: byte 0x{data[error.start]:02x} at offset "
            f"{error.start}; save the file as UTF-8"
        ) from None


def parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{path}, line {error.lineno}: malformed JSON: {error.msg}") from error
    except RecursionError:
        raise InvalidInput(f"{path}: malformed JSON: nested too deeply") from None


def parse_yaml(path: Path, text: str) -> Any:
    """YAML with PyYAML's safe loader, refusing aliases (`*name`)."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{path}{line}: malformed YAML: {error.problem}") from error
    except yaml.YAMLError as error:
        raise InvalidInput(f"{path}: malformed YAML: {shorten(str(error))}") from error
    except RecursionError:
        raise InvalidInput(f"{path}: malformed YAML: nested too deeply") from None


@cache
def _loader():
    """A SafeLoader that stops at the first alias, before anything is expanded."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"aliases (*{event.anchor}) are not allowed here; write the value out",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def parse_set_options(options: Iterable[str]) -> dict[str, str]:
    """`--set key=value` pairs; later ones win, as on most command lines."""
    parsed = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set expects KEY=VALUE, got {shorten(option)!r}")
        parsed[key.strip()] = value
    return parsed
