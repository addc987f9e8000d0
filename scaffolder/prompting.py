"""Asking the decision questions on a terminal: arrow-key choices, defaults marked, help on demand.

questionary (prompt_toolkit) is imported only here, and only when a terminal is there to ask on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import click

from scaffolder.questionnaire import Question

EXPLAIN = "__explain__"


def ask_questions(
    questions: Iterable[Question], suggested: Mapping[str, tuple[Any, str]] | None = None
) -> dict[str, Any]:
    """Ask each question; `suggested` maps ids to (answer, where it was found) from evidence."""
    suggested = suggested or {}
    return {question.id: ask(question, suggested.get(question.id)) for question in questions}


def ask(question: Question, suggested: tuple[Any, str] | None = None) -> Any:
    """One question; choosing 'Why does this matter?' prints its help and asks again.

    An answer found in the user's files is offered as the default and says where it came from.
    """
    import questionary

    options = _options(question)
    preset, mark = (
        (suggested[0], f"  (from your files: {suggested[1]})")
        if suggested
        else (question.default, "  (default)")
    )
    default = next(value for _, value in options if value == preset)
    while True:
        choices = [
            questionary.Choice(title=label + (mark if value == preset else ""), value=value)
            for label, value in options
        ] + [questionary.Choice(title="Why does this matter?", value=EXPLAIN)]
        answer = questionary.select(question.prompt, choices=choices, default=default).unsafe_ask()
        if answer != EXPLAIN:
            return answer
        click.echo(click.wrap_text(question.why, initial_indent="  ", subsequent_indent="  "))
        click.echo(f"  (from the article: {question.source})\n")


def choose_approach(recommended: str, approaches: Iterable[str]) -> str:
    """Let the user keep the recommendation or override it."""
    import questionary

    choices = [
        questionary.Choice(title=f"{a} (recommended)" if a == recommended else a, value=a)
        for a in approaches
    ]
    return questionary.select(
        "Which starter should be generated?", choices=choices, default=recommended
    ).unsafe_ask()


def _options(question: Question) -> list[tuple[str, Any]]:
    if question.is_boolean:
        return [("Yes", True), ("No", False)]
    return [(choice.label, choice.value) for choice in question.choices]
