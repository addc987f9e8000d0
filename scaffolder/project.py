"""A generated project's answers file (`.copier-answers.yml`): found, read, checked, stamped.

The one place that knows this file. `new` stamps and reads back what it rendered; `update`
and `check` read what a project recorded. That file may come from anyone's clone, so it is
read within bounds (see `answers`) and its recorded source is checked before anything uses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scaffolder import sources
from scaffolder.answers import parse_yaml, read_input_text
from scaffolder.errors import InvalidInput, shorten

ANSWERS_FILE = ".copier-answers.yml"
#: Answers scaffolder itself supplies; a user cannot set them.
MANAGED_ANSWERS = ("template_version", "approach_override")


def locate(path: Path | str) -> Path:
    """The project at `path`, which must hold an answers file."""
    project = Path(path).absolute()
    if not (project / ANSWERS_FILE).is_file():
        raise InvalidInput(
            f"{project} is not a project made by scaffolder: it has no {ANSWERS_FILE}; "
            "run `scaffolder update` inside the project, or pass its path"
        )
    return project


def read_answers(folder: Path) -> dict[str, Any]:
    """The answers recorded in `folder`: a mapping whose `_commit` is text when present."""
    path = folder / ANSWERS_FILE
    recorded = parse_yaml(path, read_input_text(path, "answers file"))
    if not isinstance(recorded, dict):
        raise InvalidInput(f"{path} does not hold a mapping of answers")
    commit = recorded.get("_commit")
    if commit is not None and not isinstance(commit, str):
        raise InvalidInput(
            f"{path}: _commit must be a version tag or commit, got {shorten(commit)}"
        )
    return recorded


def recorded_source(recorded: dict[str, Any], folder: Path) -> sources.Source:
    """The template source a project records, refused (exit 2) unless it is an allowed form."""
    return sources.recorded(recorded.get("_src_path"), folder / ANSWERS_FILE)


def stamp_answers(folder: Path, template: sources.Checkout) -> None:
    """Record the stable source id and version in a freshly rendered answers file.

    copier would record the folder it rendered from (a temporary checkout, or a path inside
    the installed package), which breaks as soon as that folder moves or disappears.
    """
    import yaml

    path = folder / ANSWERS_FILE
    text = path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    rendered = read_answers(folder)
    answers = {k: v for k, v in rendered.items() if k not in ("_commit", "_src_path")}
    stamp = {"_commit": template.ref, "_src_path": template.source.id}
    answers = {**{k: v for k, v in stamp.items() if v is not None}, **answers}
    path.write_text(
        header + yaml.safe_dump(answers, sort_keys=False, allow_unicode=True, width=1000),
        encoding="utf-8",
    )
