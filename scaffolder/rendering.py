"""`scaffolder new`: pick the approach, collect the answers, render the template atomically.

Rendering goes to a staging folder beside DEST and is moved into place only once copier and
the first commit have finished (see `placing`), so a failure halfway leaves DEST as it was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffolder import (
    __version__,
    catalog,
    engine,
    names,
    placing,
    project,
    questionnaire,
    sources,
    teamconfig,
)
from scaffolder.data_import import Imported, import_data
from scaffolder.decision import APPROACHES, Recommendation, decide
from scaffolder.errors import InvalidAnswer, MissingAnswers
from scaffolder.evidence import Evidence
from scaffolder.git import first_commit

_DISTRIBUTION_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class NewProject:
    path: Path
    approach: str
    recommendation: Recommendation | None
    answers: dict[str, Any]
    imported: Imported | None = None  # what `--data` brought in


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
    evidence: Evidence | None = None,
    data: Sequence[Path] = (),
) -> NewProject:
    """Decide (unless `approach` is given), then render the chosen starter into `dest`.

    `evidence` (read from the user's files) answers what `answers` leaves open; the files under
    `data` (which `evidence` must have read) replace the starter's sample data.

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
            evidence=evidence,
            data=data,
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
    evidence: Evidence | None = None,
    data: Sequence[Path] = (),
) -> NewProject:
    dest = Path(os.path.abspath(dest))
    root = checkout.root
    survey = questionnaire.load()
    decision_answers, template_answers = engine.split_answers(answers or {}, survey, root)
    approach = template_answers.pop("approach", None) or approach
    if approach is not None and approach not in APPROACHES:
        raise InvalidAnswer("approach", approach, APPROACHES)

    missing_template = [
        q for q in engine.unasked(root, template_answers) if q not in (*survey.ids, "approach")
    ]
    if approach is None:
        missing = survey.missing(decision_answers)
        unfound = [m for m in missing if m not in (evidence.answers if evidence else {})]
        if missing and interaction:
            decision_answers.update(
                interaction.ask_questions([survey.question(m) for m in missing])
            )
        elif unfound and not defaults:
            raise MissingAnswers(unfound + missing_template)
    # Also with --approach: the project records whether it went against the recommendation.
    recommendation = decide(decision_answers, evidence=evidence)
    if approach is None:
        approach = (
            interaction.choose_approach(recommendation) if interaction else recommendation.approach
        )
    if missing_template and not (interaction or defaults):
        raise MissingAnswers(missing_template)

    placing.check_destination(dest, force)
    data_paths = list(data)
    copier_data = {
        **recommendation.answers,
        **template_answers,
        "approach": approach,
        "approach_override": approach != recommendation.approach,
        "template_version": checkout.version,
    }
    # Only recorded questions reach copier: extra context would render differently when
    # `scaffolder update` re-renders this version from the recorded answers.
    copier_data = engine.only_questions(copier_data, root)
    suggested = {"project_name": dest.name} if _DISTRIBUTION_NAME.match(dest.name) else {}
    imported = []

    def fill(rendered: Path) -> None:
        if data_paths:
            imported.append(import_data(evidence, data_paths, rendered, approach))

    _render_into(
        checkout,
        dest,
        copier_data,
        suggested,
        ask=interaction is not None,
        git=git,
        unsafe=unsafe,
        fill=fill,
    )
    return NewProject(
        path=dest,
        approach=approach,
        recommendation=recommendation,
        answers=project.read_answers(dest),
        imported=imported[0] if imported else None,
    )


def _render_into(
    checkout: sources.Checkout,
    dest: Path,
    data: dict[str, Any],
    suggested: dict[str, Any],
    *,
    ask: bool,
    git: bool,
    unsafe: bool,
    fill: Callable[[Path], None] = lambda rendered: None,
) -> None:
    """Render into a staging folder beside DEST, `fill` it (the user's data), commit there,
    then move it into place."""
    with placing.staging(dest) as scratch:
        rendered = engine.render(
            checkout, scratch / dest.name, data, suggested=suggested, ask=ask, unsafe=unsafe
        )
        fill(rendered)
        names.check(project.read_answers(rendered), names.reserved(checkout.root))
        if git and not (dest.is_dir() and any(dest.iterdir())):
            first_commit(rendered, f"Initial project from scaffolder {__version__}")
        placing.place(rendered, dest, backup=scratch / "replaced")
