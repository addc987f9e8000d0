"""The command-line options several commands share, each defined once.

`--set` and `--answers` (decide, new; update takes `--set` alone, with its own help),
`--config` and `--trust` (new, update, check, templates), and `--json` (decide, update, check).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from scaffolder import teamconfig
from scaffolder.answers import load_answers_file, parse_set_options


def set_option(help_text: str = "Answer one question (repeatable); overrides --answers."):
    return click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help=help_text)


def answers_options(command):
    """`--set KEY=VALUE` and `--answers FILE`; see `collect_answers`."""
    command = set_option()(command)
    return click.option(
        "--answers",
        "answers_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML or JSON file mapping question ids to answers.",
    )(command)


def collect_answers(answers_file: Path | None, settings: tuple[str, ...]) -> dict[str, Any]:
    """The answers file's answers, then `--set` ones over them."""
    answers = load_answers_file(answers_file) if answers_file else {}
    answers.update(parse_set_options(settings))
    return answers


def config_option(command):
    return click.option(
        "--config",
        "config",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Team config TOML (default: ${teamconfig.ENV_VAR}, else "
        f"{teamconfig.default_path()}).",
    )(command)


def trust_option(command):
    return click.option(
        "--trust",
        is_flag=True,
        help="Allow a template from outside scaffolder to run its copier tasks and migrations.",
    )(command)


def json_option(command):
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print exactly one JSON object on stdout (messages go to stderr); never prompts.",
    )(command)
