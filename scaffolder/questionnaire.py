"""The decision questions, loaded from the template's `decision.yml`, and answer validation.

The same file defines the questions copier records in each generated project, so a
project's `.copier-answers.yml` always holds the answers its recommendation came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from scaffolder.catalog import _load_copier_yaml, bundled_templates
from scaffolder.errors import InvalidAnswer, UnknownQuestion

BOOLEAN_WORDS = {"true": True, "false": False}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    why: str
    source: str
    default: Any
    choices: tuple[Choice, ...]

    @property
    def is_boolean(self) -> bool:
        return isinstance(self.default, bool)

    @property
    def allowed(self) -> list[Any]:
        return [False, True] if self.is_boolean else [c.value for c in self.choices]

    def parse(self, raw: object) -> Any:
        """Turn a value from a file, `--set` or a prompt into the answer's canonical form."""
        if self.is_boolean:
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in BOOLEAN_WORDS:
                return BOOLEAN_WORDS[raw.strip().lower()]
            raise InvalidAnswer(self.id, raw, [True, False])
        if isinstance(raw, str) and raw in self.allowed:
            return raw
        raise InvalidAnswer(self.id, raw, self.allowed)


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]
    settings: Mapping[str, Any]

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise UnknownQuestion(question_id, self.ids)

    def validate(self, answers: Mapping[str, object]) -> dict[str, Any]:
        """Check ids and values; returns only what was answered, in canonical form."""
        return {key: self.question(key).parse(value) for key, value in answers.items()}

    def missing(self, answers: Mapping[str, object]) -> list[str]:
        return [q.id for q in self.questions if q.id not in answers]

    def with_defaults(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        return {q.id: answers.get(q.id, q.default) for q in self.questions}


@cache
def load() -> Questionnaire:
    data = _load_copier_yaml(bundled_templates() / "decision.yml")
    settings = data.pop("_decision")
    questions = tuple(_question(key, spec) for key, spec in data.items())
    return Questionnaire(questions=questions, settings=settings)


def _question(key: str, spec: Mapping[str, Any]) -> Question:
    choices = tuple(Choice(value=v, label=label) for label, v in spec.get("choices", {}).items())
    return Question(
        id=key,
        prompt=spec["help"],
        why=" ".join(spec["why"].split()),
        source=spec["source"],
        default=spec["default"],
        choices=choices,
    )
