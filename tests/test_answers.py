"""Answers files and --set options: malformed input is reported with its line."""

import pytest

from scaffolder.answers import MAX_INPUT_BYTES, load_answers_file, parse_set_options
from scaffolder.errors import InvalidInput


def test_yaml_answers_file_is_read(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("task: chatbot\ncitations: true\n")
    assert load_answers_file(path) == {"task": "chatbot", "citations": True}


def test_json_answers_file_is_read(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{"task": "code"}')
    assert load_answers_file(path) == {"task": "code"}


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("task: qa\ncitations: true\nknowledge_change: [weekly\n")
    with pytest.raises(InvalidInput, match=r"answers.yml, line \d+: malformed YAML"):
        load_answers_file(path)


def test_malformed_json_names_the_line(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{\n  "task": "qa",\n  "citations": tru\n}')
    with pytest.raises(InvalidInput, match="answers.json, line 3: malformed JSON"):
        load_answers_file(path)


def test_a_list_instead_of_a_mapping_is_refused(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("- qa\n")
    with pytest.raises(InvalidInput, match="expected a mapping"):
        load_answers_file(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read answers file"):
        load_answers_file(tmp_path / "nope.yml")


def test_set_options_split_on_the_first_equals_sign():
    assert parse_set_options(["description=a=b", "task=qa"]) == {"description": "a=b", "task": "qa"}


def test_set_option_without_equals_sign_is_refused():
    with pytest.raises(InvalidInput, match="KEY=VALUE"):
        parse_set_options(["task"])


def test_yaml_aliases_are_refused_before_anything_expands(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("task: &t qa\ndescription: *t\n")
    with pytest.raises(InvalidInput, match=r"line 2: .*aliases \(\*t\) are not allowed"):
        load_answers_file(path)


@pytest.mark.parametrize("name", ["answers.yml", "answers.json"])
def test_deeply_nested_input_is_refused_not_a_recursion_error(tmp_path, name):
    path = tmp_path / name
    path.write_text("[" * 50_000 + "]" * 50_000)
    with pytest.raises(InvalidInput, match="nested too deeply"):
        load_answers_file(path)


def test_a_file_over_a_megabyte_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_text("description: " + "x" * MAX_INPUT_BYTES)
    with pytest.raises(InvalidInput, match="larger than 1 MB"):
        load_answers_file(path)


def test_a_byte_that_is_not_utf8_is_named_by_line_and_offset(tmp_path):
    path = tmp_path / "answers.yml"
    path.write_bytes(b"task: qa\nauthor_name: Jos\xe9\n")
    with pytest.raises(InvalidInput, match="line 2: not UTF-8 text: byte 0xe9 at offset 25"):
        load_answers_file(path)


def test_a_huge_value_is_cut_short_when_echoed():
    with pytest.raises(InvalidInput) as refused:
        parse_set_options(["x" * 10_000])
    assert len(str(refused.value)) < 300 and "9800 more characters" in str(refused.value)
