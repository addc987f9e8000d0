"""The recommendation follows the article: each worked example comes out as the article says."""

import pytest

from scaffolder import decide
from scaffolder.decision import MAX_CHANGES, Change

# Each row: an example from the guiding article, the answers a team in that situation would give,
# and the approach the article recommends for it.
ARTICLE_EXAMPLES = {
    "company knowledge-base chatbot, documents updated weekly": (
        dict(
            task="qa",
            knowledge_change="weekly",
            citations=True,
            knowledge_size="large",
            external_context=True,
        ),
        "rag",
    ),
    "medical exam question answering, stable knowledge": (
        dict(
            task="qa",
            knowledge_change="rarely",
            labeled_data="many",
            domain_language=True,
            training_budget=True,
        ),
        "finetune",
    ),
    "financial sentiment on earnings calls": (
        dict(
            task="classification",
            knowledge_change="rarely",
            labeled_data="many",
            domain_language=True,
            training_budget=True,
        ),
        "finetune",
    ),
    "content moderation with changing policies": (
        dict(
            task="classification",
            knowledge_change="weekly",
            external_context=True,
            labeled_data="few",
        ),
        "rag",
    ),
    "research paper summaries with related work": (
        dict(task="summarization", external_context=True, knowledge_size="large"),
        "rag",
    ),
    "radiology summaries in the hospital's format": (
        dict(
            task="summarization",
            knowledge_change="rarely",
            style_consistency=True,
            domain_language=True,
            labeled_data="many",
            training_budget=True,
        ),
        "finetune",
    ),
    "code generation in house frameworks, Copilot-style": (
        dict(
            task="code",
            knowledge_change="rarely",
            style_consistency=True,
            domain_language=True,
            labeled_data="many",
            training_budget=True,
        ),
        "finetune",
    ),
    "coding assistant that searches the internal codebase": (
        dict(task="code", knowledge_change="weekly", external_context=True),
        "rag",
    ),
    "product descriptions in the brand voice": (
        dict(
            task="content",
            knowledge_change="rarely",
            style_consistency=True,
            labeled_data="many",
            training_budget=True,
        ),
        "finetune",
    ),
    "blog posts on industry trends with recent statistics": (
        dict(task="content", knowledge_change="daily", external_context=True),
        "rag",
    ),
    "banking chatbot: tone trained in, balances and rates retrieved": (
        dict(
            task="chatbot",
            knowledge_change="daily",
            external_context=True,
            style_consistency=True,
            labeled_data="many",
            training_budget=True,
        ),
        "hybrid",
    ),
    "insurance claim forms: fields from standard documents": (
        dict(
            task="extraction",
            knowledge_change="rarely",
            style_consistency=True,
            labeled_data="many",
            training_budget=True,
        ),
        "finetune",
    ),
    "legal contracts that cross-reference regulations and case law": (
        dict(
            task="extraction",
            external_context=True,
            citations=True,
            knowledge_size="large",
            labeled_data="few",
        ),
        "rag",
    ),
    "medical image captioning": (
        dict(
            task="multimodal",
            knowledge_change="rarely",
            domain_language=True,
            labeled_data="many",
            training_budget=True,
        ),
        "finetune",
    ),
    "product image search against the product database": (
        dict(task="multimodal", knowledge_change="weekly", external_context=True),
        "rag",
    ),
    "medical diagnosis assistant: reasoning trained, guidelines retrieved": (
        dict(
            task="chatbot",
            domain_language=True,
            labeled_data="many",
            training_budget=True,
            external_context=True,
            citations=True,
        ),
        "hybrid",
    ),
    "legal research tool: legal reasoning trained, case law retrieved": (
        dict(
            task="qa",
            domain_language=True,
            labeled_data="many",
            training_budget=True,
            external_context=True,
            citations=True,
            knowledge_size="large",
        ),
        "hybrid",
    ),
    "customer service assistant: style trained, policies and history retrieved": (
        dict(
            task="chatbot",
            style_consistency=True,
            labeled_data="many",
            training_budget=True,
            knowledge_change="weekly",
            external_context=True,
        ),
        "hybrid",
    ),
    "a team that is unsure and answers nothing": ({}, "rag"),
}


@pytest.mark.parametrize("example", ARTICLE_EXAMPLES, ids=list(ARTICLE_EXAMPLES))
def test_article_example_gets_the_articles_recommendation(example):
    answers, expected = ARTICLE_EXAMPLES[example]
    assert decide(answers).approach == expected


def test_every_reason_names_the_answer_that_caused_it():
    answers = dict(task="chatbot", knowledge_change="daily", style_consistency=True)
    for reason in decide(answers).reasons:
        assert decide(answers).answers[reason.question] == reason.answer
        assert reason.favours in ("rag", "finetune")
        assert reason.why


def test_scores_are_the_sum_of_the_reasons_weights_per_side():
    recommendation = decide(dict(knowledge_change="daily", citations=True))
    # daily (3) + citations (2) + qa (1) + no labeled data (1)
    assert recommendation.scores == {"rag": 7, "finetune": 0}


def test_finetuning_is_not_recommended_without_labeled_data_and_says_what_to_collect():
    answers = dict(
        task="classification",
        knowledge_change="rarely",
        style_consistency=True,
        domain_language=True,
        latency_critical=True,
        training_budget=True,
    )
    recommendation = decide(answers)
    assert recommendation.scores["finetune"] > recommendation.scores["rag"]
    assert recommendation.approach == "rag"
    assert any("labeled" in caveat for caveat in recommendation.caveats)


def test_finetuning_is_not_recommended_without_a_training_budget():
    answers = dict(
        task="classification", knowledge_change="rarely", labeled_data="many", domain_language=True
    )
    recommendation = decide(answers)
    assert recommendation.approach == "rag"
    assert any("budget" in caveat for caveat in recommendation.caveats)


def test_a_narrow_finetuning_lead_still_starts_with_rag():
    # finetune 1 (few) + 1 (budget) + 1 (rarely) against rag 1 (qa) + 1 (large): lead of 1
    answers = dict(
        knowledge_change="rarely", labeled_data="few", training_budget=True, knowledge_size="large"
    )
    recommendation = decide(answers)
    assert recommendation.scores["finetune"] - recommendation.scores["rag"] == 1
    assert recommendation.approach == "rag"
    assert any("start with RAG" in caveat for caveat in recommendation.caveats)


def test_hybrid_needs_both_sides_clearly_not_just_a_chatbot():
    # A chatbot whose facts change but with nothing to train on stays RAG.
    assert (
        decide(dict(task="chatbot", knowledge_change="daily", external_context=True)).approach
        == "rag"
    )


def test_hybrid_outside_chatbots_needs_more_evidence_than_for_a_chatbot():
    answers = dict(
        labeled_data="few", training_budget=True, domain_language=True, knowledge_change="daily"
    )
    # finetune 1 + 1 + 1 = 3 is enough evidence for a chatbot, not for question answering
    assert decide({**answers, "task": "qa"}).approach == "rag"
    assert decide({**answers, "task": "chatbot"}).approach == "hybrid"


@pytest.mark.parametrize(
    "approach,phrase",
    [
        ("rag", "retrieval"),
        ("finetune", "hallucination"),
        ("hybrid", "harder than it looks"),
    ],
)
def test_each_approach_carries_the_articles_warning(approach, phrase):
    examples = {expected: answers for answers, expected in ARTICLE_EXAMPLES.values()}
    caveats = " ".join(decide(examples[approach]).caveats)
    assert phrase in caveats


def test_finetuning_with_fast_changing_knowledge_warns_about_staleness():
    answers = dict(
        task="classification",
        knowledge_change="weekly",
        labeled_data="many",
        domain_language=True,
        training_budget=True,
        style_consistency=True,
        latency_critical=True,
    )
    recommendation = decide(answers)
    assert recommendation.approach == "finetune"
    assert any("stale" in caveat for caveat in recommendation.caveats)


def test_json_shape_is_the_public_contract():
    data = decide({}).to_dict()
    assert set(data) == {
        "approach",
        "scores",
        "reasons",
        "caveats",
        "assumed",
        "what_would_change",
        "evidence",
        "evidence_skipped",
    }
    assert set(data["scores"]) == {"rag", "finetune"}
    assert all(set(r) == {"question", "answer", "favours", "why"} for r in data["reasons"])


# Assumptions and what would change the outcome --------------------------------------------


def test_unanswered_questions_are_assumed_and_answered_ones_are_not():
    recommendation = decide(dict(task="classification", labeled_data="many"))
    assert "task" not in recommendation.assumed and "labeled_data" not in recommendation.assumed
    assert "training_budget" in recommendation.assumed
    assert len(recommendation.assumed) == 8


def test_the_assumption_that_decided_the_outcome_is_named_with_what_it_would_change():
    # The example: rows and a classification task, but no budget was ever given.
    recommendation = decide(dict(task="classification", labeled_data="many"))
    assert recommendation.approach == "rag"
    assert list(recommendation.decisive_assumptions()) == ["training_budget"]
    assert recommendation.what_would_change[0] == Change({"training_budget": True}, "finetune")


@pytest.mark.parametrize("example", ARTICLE_EXAMPLES, ids=list(ARTICLE_EXAMPLES))
def test_every_listed_change_gives_the_approach_it_names(example):
    answers, _ = ARTICLE_EXAMPLES[example]
    recommendation = decide(answers)
    changes = recommendation.what_would_change
    assert len(changes) <= MAX_CHANGES
    assert [len(c.set) for c in changes] == sorted(len(c.set) for c in changes)
    for change in changes:
        outcome = decide({**recommendation.answers, **change.set}).approach
        assert outcome == change.approach != recommendation.approach


@pytest.mark.parametrize("example", ARTICLE_EXAMPLES, ids=list(ARTICLE_EXAMPLES))
def test_a_pair_is_listed_only_when_neither_of_its_changes_would_do_alone(example):
    answers, _ = ARTICLE_EXAMPLES[example]
    recommendation = decide(answers)
    for change in (c for c in recommendation.what_would_change if len(c.set) == 2):
        for question, value in change.set.items():
            alone = decide({**recommendation.answers, question: value}).approach
            assert alone == recommendation.approach


def test_changes_to_assumed_answers_come_before_changes_to_given_ones():
    recommendation = decide(dict(task="qa", labeled_data="many", training_budget=True))
    sizes_and_assumed = [
        (len(c.set), not set(c.set) <= set(recommendation.assumed))
        for c in recommendation.what_would_change
    ]
    assert sizes_and_assumed == sorted(sizes_and_assumed)


def test_a_fully_answered_questionnaire_assumes_nothing():
    answers, _ = ARTICLE_EXAMPLES["banking chatbot: tone trained in, balances and rates retrieved"]
    complete = decide(answers).answers
    assert decide(complete).assumed == []


def test_multimodal_says_the_starters_are_text_only_and_what_to_add():
    recommendation = decide(dict(task="multimodal"))
    (warning,) = recommendation.warnings
    assert "text-only" in warning and "speech-to-text" in warning and "vision" in warning
    assert warning in recommendation.caveats
    assert decide(dict(task="qa")).warnings == []
