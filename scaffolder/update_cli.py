"""The `update` and `check` commands and the starter listing.

Kept apart from `cli.py` so that module stays a short table of commands; like it, this is
only parsing and printing over the library (`updating`, `sources`, `teamconfig`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scaffolder import catalog, options, sources, teamconfig
from scaffolder.answers import parse_set_options

if TYPE_CHECKING:
    from scaffolder.updating import UpdateResult

ACTION_COLOURS = {"conflict": "red", "kept": "yellow", "skipped": "yellow", "removed": "magenta"}
FIND_CONFLICTS = {
    "inline": "git diff --name-only --diff-filter=U",
    "rej": "find . -name '*.rej' -not -path './.git/*'",
}


@click.command("update")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@options.set_option("Change an answer (repeatable); --set approach=hybrid pivots the project.")
@click.option(
    "--defaults", is_flag=True, help="Questions the project never answered take their defaults."
)
@click.option("--pretend", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--conflict",
    type=click.Choice(["inline", "rej"]),
    default="inline",
    show_default=True,
    help="Mark conflicts inline, or keep your lines and put the template's in FILE.rej.",
)
@click.option("--vcs-ref", metavar="REF", help="Template version (git tag or commit) to update to.")
@options.trust_option
@options.config_option
@options.json_option
def update_command(
    path, settings, defaults, pretend, conflict, vcs_ref, trust, config, as_json
) -> None:
    """Bring the project at PATH (default: here) to the newest template version.

    A three-way merge: the template's changes since the project was made arrive, your own
    edits stay, and where both touched the same lines the conflict is marked and listed
    (exit 1). The project must be a clean git working tree, so `git diff` shows the result.
    Files you deleted stay deleted; files the template dropped are removed only if you never
    changed them.

    A pivot is an update with another approach: `--set approach=hybrid` turns a RAG or
    fine-tuning project into a hybrid one (and back). Modules the new starter keeps in a
    subpackage move there with your edits, and imports of them follow, so the project still
    runs. `--pretend` shows the plan and writes and runs nothing (no copier task, no
    migration). `--json` prints one object: from, to, ancestor, changes, conflicts,
    answers_changed, pretend.
    """
    from scaffolder.updating import update

    result = update(
        path,
        answers=parse_set_options(settings),
        defaults=defaults,
        pretend=pretend,
        conflict=conflict,
        vcs_ref=vcs_ref,
        trust=trust,
        config=config,
        ask=not as_json and sys.stdin.isatty() and sys.stdout.isatty() and not defaults,
    )
    if result.base_problem:
        click.secho(
            f"warning: {result.base_problem}.\nWithout the old version there is nothing to tell "
            "your edits from the template's: every file that differs is marked as a conflict "
            "for you to review; nothing was overwritten.",
            fg="yellow",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(result.to_dict()))
        sys.exit(1 if result.conflicts and not pretend else 0)
    _print_update(result)


def _print_update(result: UpdateResult) -> None:
    pretend = result.pretend
    verb = "Would update" if pretend else "Updated"
    click.echo(
        f"{verb} {result.project} from template {result.from_ref} to {result.to_ref} "
        f"(source: {result.source.describe()})"
    )
    for key, (before, after) in result.answers_changed.items():
        click.echo(f"  answer    {key}: {before} -> {after}")
    for change in result.changes:
        action = click.style(f"{change.action:<9}", fg=ACTION_COLOURS.get(change.action))
        note = f"  ({change.note})" if change.note else ""
        click.echo(f"  {action} {change.path}{note}")
    if not result.changes:
        click.echo("Nothing to change.")
    for command in result.migrations:
        click.echo(f"  {'would run' if pretend else 'ran':<9} migration: {command}")
    if pretend:
        click.echo("\n--pretend: nothing was written.")
        return
    if result.conflicts:
        click.secho(
            f"\n{len(result.conflicts)} file(s) with conflicts to resolve:", fg="red", err=True
        )
        for change in result.conflicts:
            click.echo(f"  {change.path}", err=True)
        click.echo(f"Find them with:  {FIND_CONFLICTS[result.conflict]}", err=True)
        then = "git add it" if result.conflict == "inline" else "delete its .rej file"
        click.echo(f"Resolve each (then {then}), review with `git diff`, then commit.", err=True)
        sys.exit(1)
    if result.changes:
        click.echo("\nReview with `git diff`, then commit.")


@click.command("check")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@options.config_option
@options.json_option
def check_command(path, config, as_json) -> None:
    """Exit 1 when the project at PATH is behind its template (for the project's CI).

    `--json` prints one object: current, latest, up_to_date, source, summary.
    """
    from scaffolder.updating import check

    result = check(path, config=config)
    click.echo(json.dumps(result.to_dict()) if as_json else result.summary())
    if not result.up_to_date:
        sys.exit(1)


def print_starters(config: Path | None) -> None:
    """Every starter with where it comes from; the team's first, as `new` uses them."""
    team = teamconfig.load(config)
    rows = []
    if team.source:
        try:
            with sources.checkout(team.source, team.version) as team_templates:
                origin = f"team: {team.source.id} @ {team_templates.ref or 'folder'}"
                rows += [(s.name, origin, s.summary) for s in catalog.starters(team_templates.root)]
        except sources.VersionNotFound as error:
            click.secho(f"team starters unavailable: {error}", fg="yellow", err=True)
    from scaffolder import __version__

    rows += [(s.name, f"bundled: scaffolder {__version__}", s.summary) for s in catalog.starters()]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, origin, summary in rows:
        click.echo(f"{name:<{widths[0]}}  {origin:<{widths[1]}}  {summary}")
    click.echo(f"\nbundled templates: {catalog.bundled_templates()}")
    if team.source:
        click.echo(f"team config: {team.path} (`scaffolder new` uses the team's starters)")
