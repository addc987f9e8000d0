"""The one copier call, for `new` and `update` alike, and the rules for what reaches it.

Only recorded questions reach copier as data (no extra context, no user copier settings), so
`update` can re-render an old version from a project's answers byte for byte. copier's
errors are mapped here once: its question validators (ValueError) are bad input, a broken
template is a failed render, and a file-system error carries the system's reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffolder import catalog, project, questionnaire, sources
from scaffolder.errors import FileSystemFailed, InvalidInput, RenderFailed, shorten


def render(
    template: sources.Checkout,
    target: Path,
    data: Mapping[str, Any],
    *,
    ask: bool,
    unsafe: bool,
    suggested: Mapping[str, Any] | None = None,
    skip_tasks: bool = False,
) -> Path:
    """Render `template` into the new folder `target` and stamp its answers file.

    `ask` lets copier prompt for questions `data` leaves open; `suggested` are defaults
    offered at those prompts; `unsafe` lets a trusted template run its tasks, unless
    `skip_tasks` (a preview runs nothing).
    """
    import copier
    import jinja2

    try:
        copier.run_copy(
            src_path=str(template.root),
            dst_path=target,
            data=dict(data),
            user_defaults=dict(suggested or {}),
            defaults=not ask,
            quiet=True,
            unsafe=unsafe,
            skip_tasks=skip_tasks,
            settings=copier.Settings(),
        )
    except ValueError as error:  # copier's question validators speak through ValueError
        raise InvalidInput(shorten(str(error), 500)) from error
    except OSError as error:
        raise FileSystemFailed.from_os_error(error, f"could not write {target}") from error
    except (copier.errors.CopierError, jinja2.TemplateError) as error:
        raise RenderFailed(
            f"copier could not render {template.source.id} ({template.ref or 'unversioned'}): "
            f"{shorten(str(error), 500)}"
        ) from error
    project.stamp_answers(target, template)
    return target


def only_questions(answers: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """The answers that are questions of the template at `root`; nothing else reaches copier."""
    questions = catalog.template_questions(root)
    return {k: v for k, v in answers.items() if k in questions}


def split_answers(
    answers: Mapping[str, object], survey: questionnaire.Questionnaire, root: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate decision answers (validated here) from the template's own questions."""
    template_ids = set(catalog.template_questions(root)) - set(survey.ids)
    settable = template_ids - set(project.MANAGED_ANSWERS)
    decision, template = {}, {}
    for key, value in answers.items():
        if key in survey.ids:
            decision[key] = value
        elif key in settable:
            template[key] = value
        elif key in project.MANAGED_ANSWERS:
            raise InvalidInput(f"{key!r} is set by scaffolder itself and cannot be answered")
        else:
            known = ", ".join(survey.ids + sorted(settable))
            raise InvalidInput(f"unknown question id {shorten(key)!r}; known ids: {known}")
    return survey.validate(decision), template


def derived_questions(root: Path) -> set[str]:
    """Questions whose default is computed from other answers (`package_name` from
    `project_name`): nobody needs to be asked them."""
    return {
        q.id
        for q in catalog.template_questions(root).values()
        if isinstance(q.default, str) and "{{" in q.default
    }


def unasked(root: Path, answered: Mapping[str, Any]) -> list[str]:
    """Template questions a person would have to answer: not answered, not derived, not
    managed by scaffolder, in the template's order."""
    skipped = derived_questions(root) | set(project.MANAGED_ANSWERS)
    return [
        q
        for q in catalog.template_questions(root)
        if q not in skipped and q not in answered and not q.startswith("_")
    ]
