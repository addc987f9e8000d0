"""Where the bundled templates live and what they offer, read without importing copier.

`scaffolder --help`, `decide` and `templates` must stay fast, so this module parses
copier's configuration with PyYAML alone (resolving copier's `!include` tag itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from scaffolder.errors import InvalidInput

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_templates() -> Path:
    """The template folder: inside the wheel, or beside the package in a source checkout."""
    for candidate in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise FileNotFoundError(f"no templates folder next to {PACKAGE_DIR}: is the install broken?")


@dataclass(frozen=True)
class Starter:
    """One choice of the template's `approach` question."""

    name: str
    summary: str


@dataclass(frozen=True)
class TemplateQuestion:
    id: str
    help: str
    default: Any
    choices: tuple[Any, ...] | None
    type: str

    @property
    def has_default(self) -> bool:
        return self.default is not None


class _CopierYamlLoader(yaml.SafeLoader):
    """A SafeLoader that understands copier's `!include` by reading the included file."""


def _load_copier_yaml(path: Path) -> dict[str, Any]:
    def include(loader: _CopierYamlLoader, node: yaml.Node) -> dict[str, Any]:
        pattern = loader.construct_scalar(node)
        merged: dict[str, Any] = {}
        for included in sorted(path.parent.glob(pattern)):
            merged.update(_load_copier_yaml(included))
        return merged

    loader_class = type("Loader", (_CopierYamlLoader,), {})
    loader_class.add_constructor("!include", include)
    merged: dict[str, Any] = {}
    with path.open(encoding="utf-8") as stream:
        for document in yaml.load_all(stream, Loader=loader_class):  # noqa: S506 - SafeLoader subclass
            merged.update(document or {})
    return merged


@cache
def template_config(root: Path | None = None) -> dict[str, Any]:
    """copier.yml of a template, with includes resolved."""
    root = root or bundled_templates()
    config_file = root / "copier.yml"
    if not config_file.is_file():
        raise InvalidInput(f"{root} is not a scaffolder template: it has no copier.yml")
    return _load_copier_yaml(config_file)


def template_questions(root: Path | None = None) -> dict[str, TemplateQuestion]:
    """The template's own questions: not settings starting with `_`, nor values it computes
    for itself (`when: false`, never asked nor recorded, so nobody can answer them)."""
    questions = {}
    for key, spec in template_config(root).items():
        if key.startswith("_") or spec.get("when") is False:
            continue
        choices = spec.get("choices")
        if isinstance(choices, dict):
            choices = tuple(choices.values())
        questions[key] = TemplateQuestion(
            id=key,
            help=spec.get("help", key),
            default=spec.get("default"),
            choices=tuple(choices) if choices else None,
            type=spec.get("type", "str"),
        )
    return questions


def starters(root: Path | None = None) -> list[Starter]:
    """The starters a template offers: the labelled choices of its `approach` question."""
    choices = template_config(root)["approach"]["choices"]
    return [Starter(name=value, summary=label) for label, value in choices.items()]
