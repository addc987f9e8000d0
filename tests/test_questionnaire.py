"""Answers are checked against the questionnaire: ids, values, and their canonical forms."""

import pytest

from scaffolder import questionnaire
from scaffolder.errors import InvalidAnswer, UnknownQuestion

CONTRACT = {
    "task": (
        [
            "qa",
            "classification",
            "summarization",
            "code",
            "content",
            "chatbot",
            "extraction",
            "multimodal",
        ],
        "qa",
    ),
    "knowledge_change": (["rarely", "monthly", "weekly", "daily"], "monthly"),
    "citations": ([False, True], False),
    "labeled_data": (["none", "few", "many"], "none"),
    "style_consistency": ([False, True], False),
    "latency_critical": ([False, True], False),
    "external_context": ([False, True], False),
    "domain_language": ([False, True], False),
    "training_budget": ([False, True], False),
    "knowledge_size": (["small", "large"], "small"),
}


@pytest.mark.parametrize("question_id", CONTRACT)
def test_public_schema_ids_values_and_defaults(question_id):
    question = questionnaire.load().question(question_id)
    allowed, default = CONTRACT[question_id]
    assert sorted(map(str, question.allowed)) == sorted(map(str, allowed))
    assert question.default == default


def test_every_question_explains_why_it_matters_and_where_it_comes_from():
    for question in questionnaire.load().questions:
        assert question.prompt.endswith("?")
        assert len(question.why) > 40
        assert question.source


@pytest.mark.parametrize("raw,expected", [("true", True), ("FALSE", False), (True, True)])
def test_booleans_accept_words_and_yaml_booleans(raw, expected):
    assert questionnaire.load().validate({"citations": raw}) == {"citations": expected}


def test_unknown_id_is_named_with_the_known_ids():
    with pytest.raises(UnknownQuestion, match="'budget'.*knowledge_change.*training_budget"):
        questionnaire.load().validate({"budget": "true"})


def test_bad_value_lists_the_allowed_values():
    with pytest.raises(InvalidAnswer, match="lots.*'labeled_data'.*none, few, many"):
        questionnaire.load().validate({"labeled_data": "lots"})


def test_bad_boolean_lists_true_and_false():
    with pytest.raises(InvalidAnswer, match="allowed: true, false"):
        questionnaire.load().validate({"citations": "maybe"})


def test_the_evidence_thresholds_for_labeled_rows_are_the_ones_the_choices_name():
    survey = questionnaire.load()
    at_least = survey.settings["evidence"]["labeled_data_at_least"]
    labels = {c.value: c.label for c in survey.question("labeled_data").choices}
    assert f"under {at_least['few']}" in labels["none"]
    assert f"{at_least['few']} to {at_least['many'] - 1:,}" in labels["few"]
    assert f"over {at_least['many'] - 1:,}" in labels["many"]


def test_every_evidence_answer_is_an_allowed_value():
    survey = questionnaire.load()
    rules = survey.settings["evidence"]
    allowed = {
        "labeled_data": rules["labeled_data_at_least"],
        "knowledge_change": rules["knowledge_change_per_week_at_least"],
    }
    for question_id, answers in allowed.items():
        assert set(answers) <= set(survey.question(question_id).allowed)
