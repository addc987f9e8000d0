"""Turn questionnaire answers into a recommendation: RAG, fine-tuning or hybrid, with reasons.

Every rule, threshold and caveat is data in `templates/decision.yml`; this module only
applies them, in the order the guiding article argues:
1. each answer adds weight to one side, with the reason it does;
2. fine-tuning needs labeled data and a training budget, or it is off the table;
3. hybrid only when both sides are clearly needed;
4. fine-tuning only when it clearly leads; anything weak or tied starts with RAG.

Answers the user did not give are assumptions, and the recommendation names them; the same rules,
re-run on changed answers, tell the user which few answers would change the outcome.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from scaffolder import questionnaire

if TYPE_CHECKING:
    from scaffolder.evidence import Evidence, Finding

APPROACHES = ("rag", "finetune", "hybrid")
#: How many answer changes `what_would_change` lists at most.
MAX_CHANGES = 5


@dataclass(frozen=True)
class Reason:
    question: str
    answer: Any
    favours: str
    why: str


@dataclass(frozen=True)
class Change:
    """Answers that, changed together, would make the recommendation `approach`."""

    set: dict[str, Any]
    approach: str


@dataclass(frozen=True)
class Recommendation:
    approach: str
    scores: dict[str, int]
    reasons: list[Reason]
    caveats: list[str] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    #: Questions the user answered (answers file, --set or a prompt).
    given: list[str] = field(default_factory=list)
    #: Questions nobody answered (neither the user nor the evidence): their defaults were assumed.
    assumed: list[str] = field(default_factory=list)
    what_would_change: list[Change] = field(default_factory=list)
    #: Caveats that also belong in `new`'s output (the edges of what the starters can do).
    warnings: list[str] = field(default_factory=list)
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape of `scaffolder decide --json`."""
        evidence = self.evidence
        return {
            "approach": self.approach,
            "scores": dict(self.scores),
            "reasons": [asdict(r) for r in self.reasons],
            "caveats": list(self.caveats),
            "assumed": list(self.assumed),
            "what_would_change": [asdict(c) for c in self.what_would_change],
            "evidence": [f.to_dict(used=self.is_used(f)) for f in evidence.findings]
            if evidence
            else [],
            "evidence_skipped": [asdict(s) for s in evidence.skipped] if evidence else [],
        }

    def is_used(self, finding: Finding) -> bool:
        """An evidence answer counts unless the user answered the same question themselves."""
        return finding.question not in self.given

    def decisive_assumptions(self) -> dict[str, list[Change]]:
        """Each assumed answer that, alone, would change the outcome, with those changes."""
        decisive: dict[str, list[Change]] = {}
        for change in _single_changes(self.answers, self.approach):
            (question,) = change.set
            if question in self.assumed:
                decisive.setdefault(question, []).append(change)
        return decisive


def decide(
    answers: Mapping[str, object] | None = None, evidence: Evidence | None = None
) -> Recommendation:
    """Recommend an approach. Precedence: `answers`, then `evidence`, then the defaults."""
    survey = questionnaire.load()
    given = survey.validate(answers or {})
    found = evidence.answers if evidence else {}
    complete = survey.with_defaults({**found, **given})
    settings = survey.settings
    outcome = _outcome(complete, settings)

    caveats = _situation_caveats(outcome, settings)
    edges = [
        c for c in settings["caveats"] if _caveat_applies(c["when"], outcome.approach, complete)
    ]
    caveats += [c["text"] for c in edges]
    assumed = [q for q in survey.ids if q not in given and q not in found]
    return Recommendation(
        approach=outcome.approach,
        scores=outcome.scores,
        reasons=[
            Reason(rule["question"], complete[rule["question"]], rule["favours"], rule["why"])
            for rule in outcome.applied
        ],
        caveats=[_one_line(c) for c in caveats],
        answers=complete,
        given=list(given),
        assumed=assumed,
        what_would_change=what_would_change(complete, outcome.approach, assumed),
        warnings=[_one_line(c["text"]) for c in edges if c.get("also_on_new")],
        evidence=evidence,
    )


@dataclass(frozen=True)
class _Outcome:
    approach: str
    scores: dict[str, int]
    applied: list[Mapping[str, Any]]
    unmet: list[Mapping[str, Any]]
    finetune_lead: int
    hybrid_floor: int


def _outcome(complete: Mapping[str, Any], settings: Mapping[str, Any]) -> _Outcome:
    """The rules applied to a complete set of answers: scores, then the article's thresholds."""
    applied = [rule for rule in settings["rules"] if _rule_applies(rule, complete)]
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
    return _Outcome(approach, scores, applied, unmet, finetune_lead, hybrid_floor)


def what_would_change(
    complete: Mapping[str, Any], approach: str, assumed: list[str] = ()
) -> list[Change]:
    """The smallest sets of answer changes that give another approach: single answers, then pairs.

    A pair is listed only when neither of its changes alone would do it (otherwise the single
    change says it already). Among changes of one size, those to assumed answers come first,
    since those are the ones the user never gave. At most MAX_CHANGES.
    """
    singles = _single_changes(complete, approach)
    if len(singles) >= MAX_CHANGES:
        return _assumed_first(singles, assumed)[:MAX_CHANGES]
    deciding = {item for change in singles for item in change.set.items()}
    settings = questionnaire.load().settings
    pairs = []
    for first, second in combinations(_alternatives(complete), 2):
        if first[0] == second[0] or first in deciding or second in deciding:
            continue
        changed = {**complete, first[0]: first[1], second[0]: second[1]}
        outcome = _outcome(changed, settings).approach
        if outcome != approach:
            pairs.append(Change({first[0]: first[1], second[0]: second[1]}, outcome))
    ranked = _assumed_first(singles, assumed) + _assumed_first(pairs, assumed)
    return ranked[:MAX_CHANGES]


def _single_changes(complete: Mapping[str, Any], approach: str) -> list[Change]:
    settings = questionnaire.load().settings
    changes = []
    for question, value in _alternatives(complete):
        outcome = _outcome({**complete, question: value}, settings).approach
        if outcome != approach:
            changes.append(Change({question: value}, outcome))
    return changes


def _alternatives(complete: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every (question, value) the questionnaire allows other than the current answer."""
    for question in questionnaire.load().questions:
        for value in question.allowed:
            if not _matches(complete[question.id], value):
                yield question.id, value


def _assumed_first(changes: list[Change], assumed: list[str]) -> list[Change]:
    return sorted(changes, key=lambda change: not set(change.set) <= set(assumed))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _rule_applies(rule: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    return _matches(answers[rule["question"]], rule["answer"]) and (
        "task" not in rule or answers["task"] in rule["task"]
    )


def _matches(answer: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return any(_matches(answer, e) for e in expected)
    return answer == expected and type(answer) is type(expected)


def _situation_caveats(outcome: _Outcome, settings: Mapping[str, Any]) -> list[str]:
    """Caveats that depend on how the scores fell rather than on a single answer."""
    approach, scores, unmet = outcome.approach, outcome.scores, outcome.unmet
    finetune_lead, hybrid_floor = outcome.finetune_lead, outcome.hybrid_floor
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
