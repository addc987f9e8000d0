"""`scaffolder new`: pick the approach, collect the answers, render the template atomically.

Rendering goes to a temporary folder beside DEST and is moved into place only once copier
has finished, so a failure halfway leaves DEST as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scaffolder import __version__, catalog, questionnaire, sources, teamconfig
from scaffolder.decision import APPROACHES, Recommendation, decide
from scaffolder.errors import InvalidAnswer, InvalidInput, MissingAnswers, RenderFailed

ANSWERS_FILE = ".copier-answers.yml"
#: Answers scaffolder itself supplies; a user cannot set them.
MANAGED_ANSWERS = ("template_version",)
_DISTRIBUTION_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class NewProject:
    path: Path
    approach: str
    recommendation: Recommendation | None
    answers: dict[str, Any]


@dataclass(frozen=True)
class Interaction:
    """How to ask a person; `None` in place of this means nobody is there to ask."""

    ask_questions: Callable[[list[questionnaire.Question]], dict[str, Any]]
    choose_approach: Callable[[Recommendation], str]


def new(
    dest: Path | str,
    *,
    approach: str | None = None,
    answers: Mapping[str, object] | None = None,
    template: Path | str | None = None,
    defaults: bool = False,
    git: bool = True,
    force: bool = False,
    interaction: Interaction | None = None,
    config: Path | str | None = None,
    trust: bool = False,
) -> NewProject:
    """Decide (unless `approach` is given), then render the chosen starter into `dest`.

    The template is `template` (a git URL, gh:/gl: shorthand or local path), else the team
    config's source, else the bundled one; team default and locked answers apply.
    """
    team = teamconfig.load(config)
    given = dict(answers or {})
    team.check_not_overriding_locks(given)
    answers = {**team.answers, **given, **team.locked}
    if approach is not None and "approach" not in given and "approach" not in team.locked:
        answers.pop("approach", None)  # --approach beats a team default
    source = sources.parse(str(template)) if template else team.source or sources.bundled()
    with sources.checkout(source, team.version if source == team.source else None) as checkout:
        unsafe = sources.ensure_allowed(
            checkout, trust=trust or team.trusts(source), config_hint=team.describe()
        )
        team.check_known(catalog.template_questions(checkout.root), source.id)
        return _new(
            dest,
            checkout,
            unsafe,
            approach=approach,
            answers=answers,
            defaults=defaults,
            git=git,
            force=force,
            interaction=interaction,
        )


def _new(
    dest: Path | str,
    checkout: sources.Checkout,
    unsafe: bool,
    *,
    approach: str | None,
    answers: Mapping[str, object],
    defaults: bool,
    git: bool,
    force: bool,
    interaction: Interaction | None,
) -> NewProject:
    dest = Path(dest).absolute()
    root = checkout.root
    survey = questionnaire.load()
    decision_answers, template_answers = _split_answers(answers or {}, survey, root)
    approach = template_answers.pop("approach", None) or approach
    if approach is not None and approach not in APPROACHES:
        raise InvalidAnswer("approach", approach, APPROACHES)

    missing_template = _unanswered_template_questions(template_answers, survey, root)
    recommendation = None
    if approach is None:
        missing = survey.missing(decision_answers)
        if missing and interaction:
            decision_answers.update(
                interaction.ask_questions([survey.question(m) for m in missing])
            )
        elif missing and not defaults:
            raise MissingAnswers(missing + missing_template)
        recommendation = decide(decision_answers)
        approach = (
            interaction.choose_approach(recommendation) if interaction else recommendation.approach
        )
    if missing_template and not (interaction or defaults):
        raise MissingAnswers(missing_template)

    _check_destination(dest, force)
    data = {
        **survey.with_defaults(decision_answers),
        **template_answers,
        "approach": approach,
        "template_version": checkout.version,
    }
    # Only recorded questions reach copier: extra context would render differently when
    # `scaffolder update` re-renders this version from the recorded answers.
    data = {k: v for k, v in data.items() if k in catalog.template_questions(root)}
    suggested = {"project_name": dest.name} if _DISTRIBUTION_NAME.match(dest.name) else {}
    _render_atomically(
        checkout,
        dest,
        data,
        suggested,
        ask=interaction is not None,
        git=git,
        force=force,
        unsafe=unsafe,
    )
    return NewProject(
        path=dest, approach=approach, recommendation=recommendation, answers=recorded_answers(dest)
    )


def recorded_answers(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8")) or {}


def _split_answers(
    answers: Mapping[str, object], survey: questionnaire.Questionnaire, root: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate decision answers (validated here) from the template's own questions."""
    template_ids = set(catalog.template_questions(root)) - set(survey.ids)
    settable = template_ids - set(MANAGED_ANSWERS)
    decision, template = {}, {}
    for key, value in answers.items():
        if key in survey.ids:
            decision[key] = value
        elif key in settable:
            template[key] = value
        elif key in MANAGED_ANSWERS:
            raise InvalidInput(f"{key!r} is set by scaffolder itself and cannot be answered")
        else:
            known = ", ".join(survey.ids + sorted(settable))
            raise InvalidInput(f"unknown question id {key!r}; known ids: {known}")
    return survey.validate(decision), template


def _unanswered_template_questions(
    given: Mapping[str, Any], survey: questionnaire.Questionnaire, root: Path
) -> list[str]:
    """Template questions a person would be asked, less those derived from other answers."""
    derived = [
        q.id
        for q in catalog.template_questions(root).values()
        if isinstance(q.default, str) and "{{" in q.default
    ]
    skipped = set(survey.ids) | set(MANAGED_ANSWERS) | {"approach"} | set(derived)
    return [q for q in catalog.template_questions(root) if q not in skipped and q not in given]


def _check_destination(dest: Path, force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise InvalidInput(f"{dest} exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise InvalidInput(
            f"{dest} exists and is not empty; choose a new folder, or pass --force to render "
            "into it (files the template produces are overwritten, nothing else is touched)"
        )


def _render_atomically(
    checkout: sources.Checkout,
    dest: Path,
    data: dict[str, Any],
    suggested: dict[str, Any],
    *,
    ask: bool,
    git: bool,
    force: bool,
    unsafe: bool,
) -> None:
    created_parents = _missing_parents(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-scaffolder-", dir=dest.parent))
    rendered = staging / dest.name
    try:
        _copier_copy(checkout.root, rendered, data, suggested, ask=ask, unsafe=unsafe)
        sources.stamp_answers(rendered / ANSWERS_FILE, checkout)
        _check_rendered_names(rendered)
        into_existing = dest.is_dir() and any(dest.iterdir())
        if git and not into_existing:
            _git_first_commit(rendered)
        if into_existing:
            _merge_into(rendered, dest)
        else:
            if dest.is_dir():
                dest.rmdir()
            os.replace(rendered, dest)
    except BaseException:
        for parent in created_parents:
            shutil.rmtree(parent, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copier_copy(root: Path, target: Path, data, suggested, *, ask: bool, unsafe: bool) -> None:
    import copier
    import jinja2

    try:
        copier.run_copy(
            src_path=str(root),
            dst_path=target,
            data=data,
            user_defaults=suggested,
            defaults=not ask,
            quiet=True,
            unsafe=unsafe,
        )
    except ValueError as error:  # copier's question validators speak through ValueError
        raise InvalidInput(str(error)) from error
    except (copier.errors.CopierError, jinja2.TemplateError, OSError) as error:
        raise RenderFailed(f"could not render {root}: {error}") from error


def _check_rendered_names(rendered: Path) -> None:
    """Names typed at copier's own prompts could still escape; refuse anything outside."""
    for path in rendered.rglob("*"):
        if not path.resolve().is_relative_to(rendered.resolve()):
            raise InvalidInput(f"the template produced {path}, which lies outside the project")


def _merge_into(rendered: Path, dest: Path) -> None:
    for source in sorted(rendered.rglob("*")):
        target = dest / source.relative_to(rendered)
        if source.is_dir():
            target.mkdir(exist_ok=True)
        else:
            os.replace(source, target)


def _missing_parents(dest: Path) -> list[Path]:
    """Folders `mkdir -p` would create for dest's parent, outermost first (to undo on failure)."""
    missing = []
    for parent in [dest.parent, *dest.parent.parents]:
        if parent.exists():
            break
        missing.append(parent)
    return list(reversed(missing))


def _git_first_commit(project: Path) -> None:
    def run(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)

    identity = _git_identity_options(project)
    run("init", "-q")
    run("add", "-A")
    run(*identity, "commit", "-q", "-m", f"Initial project from scaffolder {__version__}")


def _git_identity_options(project: Path) -> Iterable[str]:
    """Commit as the user when git knows them; otherwise as scaffolder, rather than fail."""
    configured = subprocess.run(
        ["git", "config", "user.email"], cwd=project, capture_output=True, text=True
    ).stdout.strip()
    return (
        []
        if configured
        else ["-c", "user.name=scaffolder", "-c", "user.email=scaffolder@localhost"]
    )
