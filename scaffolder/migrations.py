"""copier `_migrations` of a trusted template, run by `scaffolder update` around the merge.

Same meaning as in copier: a migration with a `version` runs when the update crosses that
version (old < version <= new); one without runs on every update. It runs in the "after"
stage unless its `when` says otherwise, in the project folder, with the answers, `_stage`,
`_version_from`, `_version_to` and `_version_current` in its Jinja context (and STAGE,
VERSION_FROM, VERSION_TO, VERSION_CURRENT in its environment). Only trusted templates get
here (see `sources.ensure_allowed`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffolder.catalog import template_config
from scaffolder.errors import InvalidInput, MigrationFailed
from scaffolder.sources import Checkout, parse_version

STAGES = ("before", "after")


@dataclass(frozen=True)
class Migration:
    command: str | list[str]
    when: str
    version: str | None
    working_directory: str


def pending(template: Checkout, from_ref: str | None, to_ref: str | None) -> list[Migration]:
    """The migrations an update from `from_ref` to `to_ref` crosses, in the template's order."""
    old, new = parse_version(from_ref), parse_version(to_ref)
    found = []
    for entry in template_config(template.root).get("_migrations", []):
        migration = _parse(entry, template)
        crossed = migration.version is None or (
            old is not None and new is not None and old < parse_version(migration.version) <= new
        )
        if crossed:
            found.append(migration)
    return found


def run(
    migrations: list[Migration],
    stage: str,
    project: Path,
    answers: Mapping[str, Any],
    from_ref: str | None,
    to_ref: str | None,
) -> list[str]:
    """Run the migrations due at `stage`; returns the commands run, as shown to the user."""
    from jinja2.sandbox import SandboxedEnvironment

    jinja = SandboxedEnvironment()
    ran = []
    for migration in migrations:
        extra = {
            "stage": stage,
            "version_from": from_ref or "",
            "version_to": to_ref or "",
            "version_current": migration.version or "",
        }
        context = {**answers, **{f"_{k}": v for k, v in extra.items()}}
        if not _is_true(jinja.from_string(migration.when).render(context)):
            continue
        command = _render_command(jinja, migration.command, context)
        cwd = project / jinja.from_string(migration.working_directory).render(context)
        env = {**os.environ, **{k.upper(): str(v) for k, v in extra.items()}}
        result = subprocess.run(command, shell=isinstance(command, str), cwd=cwd, env=env)
        if result.returncode:
            raise MigrationFailed(
                f"migration {command!r} exited {result.returncode}; the "
                "update stopped here: review `git status` and fix or undo"
            )
        ran.append(command if isinstance(command, str) else " ".join(command))
    return ran


def _parse(entry: Any, template: Checkout) -> Migration:
    after_only = '{{ _stage == "after" }}'
    if isinstance(entry, (str, list)):
        return Migration(entry, after_only, None, ".")
    if isinstance(entry, dict) and "command" in entry:
        version = entry.get("version")
        if version is not None and parse_version(str(version)) is None:
            raise InvalidInput(
                f"{template.source.id}: migration version {version!r} is not a PEP 440 version"
            )
        return Migration(
            entry["command"],
            str(entry.get("when", after_only)),
            str(version) if version is not None else None,
            str(entry.get("working_directory", ".")),
        )
    raise InvalidInput(
        f"{template.source.id}: unsupported migration {entry!r}; expected a "
        "command, or a mapping with `command` (and optional version, when, "
        "working_directory), as in copier 9"
    )


def _is_true(rendered: str) -> bool:
    return rendered.strip().lower() in ("true", "1", "yes", "on")


def _render_command(jinja, command: str | list[str], context: Mapping[str, Any]):
    if isinstance(command, str):
        return jinja.from_string(command).render(context)
    return [jinja.from_string(str(part)).render(context) for part in command]
