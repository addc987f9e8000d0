"""Turn questionnaire answers into a recommendation: RAG, fine-tuning or hybrid, with reasons.

Every rule, threshold and caveat is data in `templates/decision.yml`; this module only
applies them, in the order the guiding article argues:
1. each answer adds weight to one side, with the reason it does;
2. fine-tuning needs labeled data and a training budget, or it is off the table;
3. hybrid only when both sides are clearly needed;
4. fine-tuning only when it clearly leads; anything weak or tied starts with RAG.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from scaffolder import questionnaire

APPROACHES = ("rag", "finetune", "hybrid")


@dataclass(frozen=True)
class Reason:
    question: str
    answer: Any
    favours: str
    why: str


@dataclass(frozen=True)
class Recommendation:
    approach: str
    scores: dict[str, int]
    reasons: list[Reason]
    caveats: list[str] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape of `scaffolder decide --json`."""
        return {
            "approach": self.approach,
            "scores": dict(self.scores),
            "reasons": [asdict(r) for r in self.reasons],
            "caveats": list(self.caveats),
        }


def decide(answers: Mapping[str, object] | None = None) -> Recommendation:
    """Recommend an approach; unanswered questions take their defaults."""
    survey = questionnaire.load()
    complete = survey.with_defaults(survey.validate(answers or {}))
    settings = survey.settings

    applied = [rule for rule in settings["rules"] if _rule_applies(rule, complete)]
    reasons = [
        Reason(rule["question"], complete[rule["question"]], rule["favours"], rule["why"])
        for rule in applied
    ]
    scores = {
        side: sum(rule["weight"] for rule in applied if rule["favours"] == side)
        for side in ("rag", "finetune")
    }
    unmet = [
        p for p in settings["finetune_prerequisites"] if complete[p["question"]] == p["answer"]
    ]

    hybrid_floor = settings["hybrid_min_each_by_task"].get(
        complete["task"], settings["hybrid_min_each"]
    )
    finetune_lead = scores["finetune"] - scores["rag"]
    if not unmet and min(scores.values()) >= hybrid_floor:
        approach = "hybrid"
    elif not unmet and finetune_lead >= settings["finetune_min_lead"]:
        approach = "finetune"
    else:
        approach = "rag"

    caveats = _situation_caveats(approach, scores, unmet, finetune_lead, hybrid_floor, settings)
    caveats += [
        c["text"] for c in settings["caveats"] if _caveat_applies(c["when"], approach, complete)
    ]
    return Recommendation(
        approach=approach,
        scores=scores,
        reasons=reasons,
        caveats=[" ".join(c.split()) for c in caveats],
        answers=complete,
    )


def _rule_applies(rule: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    return _matches(answers[rule["question"]], rule["answer"]) and (
        "task" not in rule or answers["task"] in rule["task"]
    )


def _matches(answer: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return any(_matches(answer, e) for e in expected)
    return answer == expected and type(answer) is type(expected)


def _situation_caveats(approach, scores, unmet, finetune_lead, hybrid_floor, settings) -> list[str]:
    """Caveats that depend on how the scores fell rather than on a single answer."""
    caveats = []
    finetune_wanted = scores["finetune"] >= hybrid_floor or finetune_lead > 0
    if unmet and finetune_wanted:
        caveats.append(
            f"Fine-tuning signals are present (score {scores['finetune']}), but fine-tuning "
            "is not recommended yet: " + " ".join(p["collect"] for p in unmet)
        )
    elif approach == "rag" and 0 < finetune_lead < settings["finetune_min_lead"]:
        caveats.append(
            f"The signals are close (fine-tuning {scores['finetune']}, RAG {scores['rag']}): "
            "when unsure, start with RAG; it is faster to build and easier to change."
        )
    elif approach == "rag" and finetune_lead == 0:
        caveats.append(
            "The scores are tied: when unsure, start with RAG and add fine-tuning later."
        )
    return caveats


def _caveat_applies(when: Mapping[str, Any], approach: str, answers: Mapping[str, Any]) -> bool:
    facts = {**answers, "approach": approach, "always": True}
    return all(_matches(facts[key], expected) for key, expected in when.items())
