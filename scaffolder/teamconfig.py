"""The team config: one TOML file that makes every new project start from the team's standard.

Found, first match wins, at `--config FILE`, `$SCAFFOLDER_CONFIG`, or `config.toml` in the
user's config directory (`~/.config/scaffolder/` on Linux). Example:

    [template]
    source = "gh:acme/llm-starters"   # git URL, gh:/gl: shorthand or local path
    version = "v2.1.0"                # a tag; default: the newest tag

    [answers]                         # answers every new project starts with
    author_name = "Acme ML"

    [locked]                          # answers no project may change
    license = "Apache-2.0"

    [trust]
    sources = ["gh:acme/"]            # prefixes whose copier tasks/migrations may run

Trusted prefixes are compared as resolved locations, whole path components at a time
(see `sources.location`): `/srv/good` trusts `/srv/good/x`, never `/srv/good-evil` nor
`/srv/good/../evil`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffolder import sources
from scaffolder.answers import read_input_text
from scaffolder.errors import InvalidInput, shorten

ENV_VAR = "SCAFFOLDER_CONFIG"
#: Sections and their keys (None: any question id).
_SECTIONS = {
    "template": {"source", "version"},
    "answers": None,
    "locked": None,
    "trust": {"sources"},
}


@dataclass(frozen=True)
class TeamConfig:
    path: Path | None = None
    source: sources.Source | None = None
    version: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    locked: Mapping[str, Any] = field(default_factory=dict)
    trusted: tuple[tuple[str, ...], ...] = ()  # resolved locations (see sources.location)

    def describe(self) -> str:
        return str(self.path) if self.path else "none found"

    def trusts(self, source: sources.Source) -> bool:
        return sources.is_trusted(source, list(self.trusted))

    def check_not_overriding_locks(self, answers: Mapping[str, Any]) -> None:
        """Refuse an answer that contradicts a locked one (compared as text, as --set gives)."""
        for key, value in answers.items():
            if key in self.locked and _text(value) != _text(self.locked[key]):
                raise InvalidInput(
                    f"{key!r} is locked to {shorten(_text(self.locked[key]))!r} by the team "
                    f"config {self.path}; it cannot be set to {shorten(_text(value))!r}"
                )

    def check_known(self, questions: Collection[str], template: str) -> None:
        """Every default or locked answer must be a question of the template it is used with."""
        for section, answers in (("answers", self.answers), ("locked", self.locked)):
            for key in answers:
                if key not in questions:
                    raise InvalidInput(
                        f"{self.path}: [{section}] {shorten(key)!r} is not a question of the "
                        "template "
                        f"{template}; its questions: {', '.join(sorted(questions))}"
                    )


def default_path() -> Path:
    import click

    return Path(click.get_app_dir("scaffolder")) / "config.toml"


def load(explicit: Path | str | None = None) -> TeamConfig:
    """The team config in force, or an empty one when there is none."""
    if explicit is not None:
        path = Path(explicit)
    elif os.environ.get(ENV_VAR):
        path = Path(os.environ[ENV_VAR])
    else:
        path = default_path()
        if not path.is_file():
            return TeamConfig()
    return parse(path)


def parse(path: Path) -> TeamConfig:
    data = _read_toml(path)
    _check_sections(path, data)
    template = data.get("template", {})
    trusted = data.get("trust", {}).get("sources", [])
    if not isinstance(trusted, list) or not all(isinstance(t, str) for t in trusted):
        raise InvalidInput(
            f"{path}: [trust] sources must be a list of strings, got {shorten(trusted)}"
        )
    source = template.get("source")
    version = template.get("version")
    for key, value in (("source", source), ("version", version)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{path}: [template] {key} must be a string, got {shorten(value)}")
    return TeamConfig(
        path=path,
        source=sources.parse(source, base=path.parent) if source else None,
        version=version,
        answers=dict(data.get("answers", {})),
        locked=dict(data.get("locked", {})),
        trusted=tuple(_trusted_location(path, prefix) for prefix in trusted),
    )


def _check_sections(path: Path, data: dict[str, Any]) -> None:
    """Only known sections and keys: a typo must not silently drop part of a team's standard."""
    for section, value in data.items():
        if section not in _SECTIONS:
            raise InvalidInput(
                f"{path}: unknown section [{shorten(section)}]; "
                f"allowed: {', '.join(sorted(_SECTIONS))}"
            )
        if not isinstance(value, dict):
            raise InvalidInput(
                f"{path}: {section} must be a table ([{section}]), got {shorten(value)}"
            )
        allowed = _SECTIONS[section]
        for key in value:
            if allowed is not None and key not in allowed:
                known = ", ".join(sorted(allowed))
                raise InvalidInput(
                    f"{path}: unknown key {shorten(key)!r} in [{section}]; allowed: {known}"
                )


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    text = read_input_text(path, "team config")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path}: malformed TOML: {error}") from error


def _trusted_location(path: Path, prefix: str) -> tuple[str, ...]:
    """Relative paths in `[trust] sources` are relative to the config file, like `source`."""
    try:
        return sources.location(prefix, base=path.parent)
    except InvalidInput as error:
        raise InvalidInput(f"{path}: [trust] sources: {error}") from None


def _text(value: Any) -> str:
    """An answer as text, with booleans spelt one way (`--set x=True` equals TOML `x = true`)."""
    text = str(value)
    return text.lower() if text.lower() in ("true", "false") else text
