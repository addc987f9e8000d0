"""The `scaffolder` command line: parses options, calls the library, prints the results."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scaffolder import __version__, options, questionnaire, update_cli
from scaffolder.decision import APPROACHES, Recommendation, decide
from scaffolder.errors import FileSystemFailed, MissingAnswers, ScaffolderError

if TYPE_CHECKING:
    from scaffolder.data_import import Imported
    from scaffolder.evidence import Evidence

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
        except OSError as error:  # a file-system failure no library call anticipated
            failed = FileSystemFailed.from_os_error(error, "scaffolder could not go on")
            raise CommandFailed(failed) from error


def _evidence_option(command):
    return click.option(
        "--evidence",
        "evidence_paths",
        multiple=True,
        type=click.Path(path_type=Path),
        metavar="PATH",
        help="A file or folder of your own data (labeled rows, documents) to derive answers "
        "from (repeatable); your answers and --set take precedence.",
    )(command)


def _gather_evidence(paths: tuple[Path, ...]) -> Evidence | None:
    if not paths:
        return None
    from scaffolder.evidence import gather

    return gather(paths)


def _suggestions(evidence: Evidence | None) -> dict[str, tuple[Any, str]]:
    """Evidence answers as prompt defaults, each with where it was found."""
    return {f.question: (f.answer, f.found) for f in evidence.findings} if evidence else {}


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
@options.answers_options
@_evidence_option
@options.json_option
@click.option("--defaults", is_flag=True, help="Unanswered questions take their defaults.")
def decide_command(answers_file, settings, evidence_paths, as_json, defaults) -> None:
    """Recommend RAG, fine-tuning or hybrid, with the reason behind every point.

    On a terminal, unanswered questions are asked (answers found by --evidence are
    offered as the defaults). Without one (or with --json), they take the evidence's
    answers, else their defaults only with --defaults (or --json); otherwise the
    command exits 2 and lists them.
    Precedence: --set, then --answers, then --evidence, then the defaults.
    """
    survey = questionnaire.load()
    answers = survey.validate(options.collect_answers(answers_file, settings))
    evidence = _gather_evidence(evidence_paths)
    missing = survey.missing(answers)
    if missing and not (as_json or defaults) and _can_ask():
        from scaffolder.prompting import ask_questions

        asked = (survey.question(m) for m in missing)
        answers.update(ask_questions(asked, suggested=_suggestions(evidence)))
    found = evidence.answers if evidence else {}
    missing = [m for m in survey.missing(answers) if m not in found]
    if missing and not (as_json or defaults):
        raise MissingAnswers(missing)
    if missing:
        click.echo(f"assumed defaults for: {', '.join(missing)}", err=True)
    recommendation = decide(answers, evidence=evidence)
    if as_json:
        click.echo(json.dumps(recommendation.to_dict(), indent=2))
    else:
        _print_recommendation(recommendation)


@cli.command("new")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--approach", type=click.Choice(APPROACHES), help="Skip the decision and use this starter."
)
@options.answers_options
@_evidence_option
@click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Your own labeled rows or documents, brought into the project in place of its "
    "sample data (repeatable); implies --evidence PATH.",
)
@click.option("--defaults", is_flag=True, help="Unanswered questions take their defaults.")
@click.option(
    "--template", metavar="SRC", help="Template source to render instead of the bundled one."
)
@click.option("--no-git", is_flag=True, help="Do not initialise a git repository.")
@click.option("--force", is_flag=True, help="Render into a non-empty DEST (never deletes files).")
@options.trust_option
@options.config_option
def new_command(
    dest,
    approach,
    answers_file,
    settings,
    evidence_paths,
    data_paths,
    defaults,
    template,
    no_git,
    force,
    trust,
    config,
) -> None:
    """Generate a starter project in DEST.

    Runs the decision (with --approach, only to warn when the choice goes against
    it; the project records that), asks the starter's own questions (project name,
    package name, ...), renders it, and makes a first git commit. --set accepts
    decision ids and template question ids alike. --data brings your own rows or
    documents in place of the sample data.
    """
    from scaffolder.rendering import Interaction, new

    evidence = _gather_evidence(evidence_paths + data_paths)
    interaction = None
    if _can_ask() and not defaults:
        from scaffolder import prompting

        def ask(questions):
            return prompting.ask_questions(questions, suggested=_suggestions(evidence))

        def choose(recommendation: Recommendation) -> str:
            _print_recommendation(recommendation)
            return prompting.choose_approach(recommendation.approach, APPROACHES)

        interaction = Interaction(ask_questions=ask, choose_approach=choose)

    given = options.collect_answers(answers_file, settings)
    project = new(
        dest,
        approach=approach,
        answers=given,
        template=template,
        defaults=defaults,
        git=not no_git,
        force=force,
        interaction=interaction,
        trust=trust,
        config=config,
        evidence=evidence,
        data=data_paths,
    )
    recommendation = project.recommendation
    if evidence and not interaction:
        _print_evidence(recommendation)
    chosen_here = approach is not None or "approach" in given
    if recommendation.approach != project.approach and chosen_here:
        _warn_override(project.approach, recommendation)
    elif not interaction:
        click.echo(
            f"Recommended: {SIDE_NAMES[recommendation.approach]} "
            f"(scores: {_scores(recommendation)})"
        )
    for warning in recommendation.warnings:
        click.echo(click.wrap_text(f"Note: {warning}", subsequent_indent="  "), err=not _can_ask())
    click.echo(
        f"\nCreated {project.answers['project_name']} ({project.approach} starter) "
        f"in {project.path}\n"
    )
    if project.imported:
        _print_imported(project.imported)
    data_word = "your data" if project.imported else "its sample data"
    click.echo("Next steps:")
    click.echo(f"  cd {project.path}")
    click.echo(f"  make demo    # sets up .venv, runs the starter end to end on {data_word}")
    click.echo("  make test    # runs the project's tests")


@cli.command("templates")
@options.config_option
def templates_command(config) -> None:
    """List the starters and where they come from (the team's, then the bundled ones)."""
    update_cli.print_starters(config)


cli.add_command(update_cli.update_command)
cli.add_command(update_cli.check_command)


def _print_recommendation(recommendation: Recommendation) -> None:
    click.echo()
    click.secho(f"Recommendation: {SIDE_NAMES[recommendation.approach]}", bold=True)
    click.echo(f"Scores: {_scores(recommendation)}\n")
    _print_evidence(recommendation)
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
    _print_assumptions(recommendation)
    _print_changes(recommendation)
    if recommendation.caveats:
        click.echo("\nCaveats:")
        for caveat in recommendation.caveats:
            click.echo(click.wrap_text(caveat, initial_indent="  - ", subsequent_indent="    "))
    click.echo()


#: How many skipped paths the text output lists (--json lists them all).
SHOWN_SKIPPED = 10


def _print_evidence(recommendation: Recommendation) -> None:
    evidence = recommendation.evidence
    if evidence is None:
        return
    click.echo("Evidence from your files:")
    for finding in evidence.findings:
        answer = f"{finding.question}={_shown(finding.answer)}"
        if recommendation.is_used(finding):
            note = ""
        elif recommendation.answers[finding.question] == finding.answer:
            note = " (agrees with your answer)"
        else:
            note = f" (not used: you answered {finding.question} yourself)"
        click.echo(f"  {answer:<28} {finding.found}{note}")
    if not evidence.findings:
        click.echo("  nothing that answers a question")
    if evidence.skipped:
        click.echo(f"  skipped {len(evidence.skipped)}:")
        for skipped in evidence.skipped[:SHOWN_SKIPPED]:
            click.echo(f"    {skipped.path}: {skipped.reason}")
        if len(evidence.skipped) > SHOWN_SKIPPED:
            click.echo(f"    ... and {len(evidence.skipped) - SHOWN_SKIPPED} more (see --json)")
    click.echo()


def _print_assumptions(recommendation: Recommendation) -> None:
    """Unanswered questions are assumptions; name those that decided the outcome."""
    if not recommendation.assumed:
        return
    decisive = recommendation.decisive_assumptions()
    click.echo("\nAssumed (not answered):")
    for question in decisive:
        outcomes = "; ".join(
            f"{_change_text(c.set)} would make it {SIDE_NAMES[c.approach]}"
            for c in decisive[question]
        )
        assumed = f"{question}={_shown(recommendation.answers[question])}"
        click.echo(f"  {assumed}: {outcomes}")
    quiet = [q for q in recommendation.assumed if q not in decisive]
    if quiet:
        shown = ", ".join(f"{q}={_shown(recommendation.answers[q])}" for q in quiet)
        click.echo(
            click.wrap_text(
                f"no single change alone would change the outcome: {shown}",
                initial_indent="  ",
                subsequent_indent="    ",
            )
        )


def _print_changes(recommendation: Recommendation) -> None:
    if not recommendation.what_would_change:
        return
    click.echo("\nWhat would change it:")
    for change in recommendation.what_would_change:
        click.echo(f"  {_change_text(change.set)} -> {SIDE_NAMES[change.approach]}")


def _change_text(changed: dict[str, Any]) -> str:
    return " and ".join(f"{q}={_shown(v)}" for q, v in changed.items())


def _print_imported(imported: Imported) -> None:
    if imported.rows:
        split = ", ".join(f"{name} {count:,}" for name, count in imported.rows.items())
        click.echo(f"Your labeled rows are in data/own/ ({split}); config/train.yaml reads them.")
    if imported.documents:
        click.echo(
            f"Your {imported.documents:,} documents replace the samples; "
            f"evaluation/questions.yaml holds {imported.questions} questions built from their "
            "headings (replace them with real ones, see the README)."
        )
    if imported.unused:
        click.echo(f"Not used by this starter: {len(imported.unused)} file(s) from --data.")
    click.echo()


def _warn_override(approach: str, recommendation: Recommendation) -> None:
    """--approach against the recommendation: say why it was recommended and what would agree."""
    err = not _can_ask()
    favouring = [r for r in recommendation.reasons if r.favours == recommendation.approach]
    lines = [
        f"Warning: {SIDE_NAMES[approach]} goes against the recommendation, "
        f"{SIDE_NAMES[recommendation.approach]} (scores: {_scores(recommendation)}); "
        "recorded as approach_override in .copier-answers.yml.",
        *(f"  {r.question}={_shown(r.answer)}: {r.why}" for r in favouring),
        *(c for c in recommendation.caveats if "not recommended yet" in c),
    ]
    agreeing = [c for c in recommendation.what_would_change if c.approach == approach]
    if agreeing:
        lines.append(
            f"Answers that would recommend {SIDE_NAMES[approach]}: "
            + "; ".join(_change_text(c.set) for c in agreeing)
        )
    if recommendation.assumed:
        lines.append(f"Assumed (not answered): {', '.join(recommendation.assumed)}")
    for line in lines:
        click.echo(click.wrap_text(line, subsequent_indent="    "), err=err)


def _scores(recommendation: Recommendation) -> str:
    return ", ".join(f"{SIDE_NAMES[side]} {score}" for side, score in recommendation.scores.items())


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def main() -> None:
    cli(prog_name="scaffolder")


if __name__ == "__main__":
    main()
