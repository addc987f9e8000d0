"""The `scaffolder` command line: parses options, calls the library, prints the results."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from scaffolder import __version__, questionnaire, update_cli
from scaffolder.answers import load_answers_file, parse_set_options
from scaffolder.decision import APPROACHES, Recommendation, decide
from scaffolder.errors import MissingAnswers, ScaffolderError

SIDE_NAMES = {"rag": "RAG", "finetune": "fine-tuning", "hybrid": "hybrid (fine-tuning + RAG)"}


class CommandFailed(click.ClickException):
    """A ScaffolderError as click reports it: 'Error: ...' on stderr and the error's exit code."""

    def __init__(self, error: ScaffolderError):
        super().__init__(str(error))
        self.exit_code = error.exit_code


class ScaffolderGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScaffolderError as error:
            raise CommandFailed(error) from error


def _answers_options(command):
    command = click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="KEY=VALUE",
        help="Answer one question (repeatable); overrides --answers.",
    )(command)
    return click.option(
        "--answers",
        "answers_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="YAML or JSON file mapping question ids to answers.",
    )(command)


def _collect_answers(answers_file: Path | None, settings: tuple[str, ...]) -> dict[str, Any]:
    answers = load_answers_file(answers_file) if answers_file else {}
    answers.update(parse_set_options(settings))
    return answers


def _can_ask() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.group(cls=ScaffolderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scaffolder")
def cli() -> None:
    """Decide between RAG, fine-tuning or both for an LLM app, then generate its starter.

    \b
    scaffolder decide          answer a few questions, get a recommendation with reasons
    scaffolder new my-app      decide, then render a ready-to-run starter into my-app/
    scaffolder templates       list the starters
    scaffolder update          merge the newest template version into a project
    """


@cli.command("decide")
@_answers_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object; never prompts.")
@click.option("--defaults", is_flag=True, help="Unanswered questions take their defaults.")
def decide_command(answers_file, settings, as_json, defaults) -> None:
    """Recommend RAG, fine-tuning or hybrid, with the reason behind every point.

    On a terminal, unanswered questions are asked. Without one (or with --json),
    they take their defaults only with --defaults (or --json); otherwise the
    command exits 2 and lists them.
    """
    survey = questionnaire.load()
    answers = survey.validate(_collect_answers(answers_file, settings))
    missing = survey.missing(answers)
    if missing and not (as_json or defaults):
        if not _can_ask():
            raise MissingAnswers(missing)
        from scaffolder.prompting import ask_questions

        answers.update(ask_questions(survey.question(m) for m in missing))
        missing = []
    if missing:
        click.echo(f"assumed defaults for: {', '.join(missing)}", err=True)
    recommendation = decide(answers)
    if as_json:
        click.echo(json.dumps(recommendation.to_dict(), indent=2))
    else:
        _print_recommendation(recommendation)


@cli.command("new")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--approach", type=click.Choice(APPROACHES), help="Skip the decision and use this starter."
)
@_answers_options
@click.option("--defaults", is_flag=True, help="Unanswered questions take their defaults.")
@click.option(
    "--template", metavar="SRC", help="Template source to render instead of the bundled one."
)
@click.option("--no-git", is_flag=True, help="Do not initialise a git repository.")
@click.option("--force", is_flag=True, help="Render into a non-empty DEST (never deletes files).")
@update_cli.trust_option
@update_cli.config_option
def new_command(
    dest, approach, answers_file, settings, defaults, template, no_git, force, trust, config
) -> None:
    """Generate a starter project in DEST.

    Runs the decision unless --approach is given, asks the starter's own questions
    (project name, package name, ...), renders it, and makes a first git commit.
    --set accepts decision ids and template question ids alike.
    """
    from scaffolder.rendering import Interaction, new

    interaction = None
    if _can_ask() and not defaults:
        from scaffolder import prompting

        def choose(recommendation: Recommendation) -> str:
            _print_recommendation(recommendation)
            return prompting.choose_approach(recommendation.approach, APPROACHES)

        interaction = Interaction(ask_questions=prompting.ask_questions, choose_approach=choose)

    project = new(
        dest,
        approach=approach,
        answers=_collect_answers(answers_file, settings),
        template=template,
        defaults=defaults,
        git=not no_git,
        force=force,
        interaction=interaction,
        trust=trust,
        config=config,
    )
    if project.recommendation and not interaction:
        click.echo(
            f"Recommended: {SIDE_NAMES[project.recommendation.approach]} "
            f"(scores: {_scores(project.recommendation)})"
        )
    click.echo(
        f"\nCreated {project.answers['project_name']} ({project.approach} starter) "
        f"in {project.path}\n"
    )
    click.echo("Next steps:")
    click.echo(f"  cd {project.path}")
    click.echo("  make demo    # sets up .venv, runs the starter end to end on its sample data")
    click.echo("  make test    # runs the project's tests")


@cli.command("templates")
@update_cli.config_option
def templates_command(config) -> None:
    """List the starters and where they come from (the team's, then the bundled ones)."""
    update_cli.print_starters(config)


cli.add_command(update_cli.update_command)
cli.add_command(update_cli.check_command)


def _print_recommendation(recommendation: Recommendation) -> None:
    click.echo()
    click.secho(f"Recommendation: {SIDE_NAMES[recommendation.approach]}", bold=True)
    click.echo(f"Scores: {_scores(recommendation)}\n")
    click.echo("Reasons:")
    width = max(
        (len(f"{r.question}={_shown(r.answer)}") for r in recommendation.reasons), default=0
    )
    for reason in recommendation.reasons:
        answer = f"{reason.question}={_shown(reason.answer)}"
        side = click.style(
            f"{reason.favours:<8}", fg="cyan" if reason.favours == "rag" else "magenta"
        )
        click.echo(f"  {side} {answer:<{width}}  {reason.why}")
    if recommendation.caveats:
        click.echo("\nCaveats:")
        for caveat in recommendation.caveats:
            click.echo(click.wrap_text(caveat, initial_indent="  - ", subsequent_indent="    "))
    click.echo()


def _scores(recommendation: Recommendation) -> str:
    return ", ".join(f"{SIDE_NAMES[side]} {score}" for side, score in recommendation.scores.items())


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def main() -> None:
    cli(prog_name="scaffolder")


if __name__ == "__main__":
    main()
