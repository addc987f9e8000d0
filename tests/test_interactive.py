"""The interactive path, driven through a pseudo-terminal as a person would answer it."""

import os
import sys
import time

import pexpect
import pytest
import yaml

DOWN = "\x1b[B"


class Terminal:
    """A scaffolder process on a pseudo-terminal, answered key by key."""

    def __init__(self, *args, cwd=None):
        env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"}
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "scaffolder", *args],
            cwd=cwd,
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 160),
        )

    def expect(self, pattern):
        return self.child.expect(pattern)

    def press(self, *keys):
        for key in keys:
            time.sleep(0.1)  # prompt_toolkit drops keys typed before it has drawn the prompt
            self.child.send(key)

    def finish(self):
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus, self.child.before


@pytest.fixture
def terminal():
    opened = []

    def _open(*args, cwd=None):
        opened.append(Terminal(*args, cwd=cwd))
        return opened[-1]

    yield _open
    for t in opened:
        t.child.close(force=True)


def test_decide_asks_each_missing_question_and_explains_on_demand(terminal):
    term = terminal("decide", "--set", "knowledge_change=daily", "--set", "labeled_data=many")
    term.expect("What will the model mainly do")
    term.press(*[DOWN] * 5, "\r")  # chatbot
    term.expect("Must answers cite their sources")
    term.press(DOWN, "\r")  # from the default (No) to "Why does this matter?"
    term.expect("Retrieval shows exactly")
    term.expect("Must answers cite their sources")
    term.press("\r")  # keep the default: No
    for _ in range(6):  # style, latency, external context, domain, budget, knowledge size
        term.expect(r"\? ")
        term.press("\r")
    status, output = term.finish()
    assert status == 0
    assert "Recommendation: RAG" in output
    assert "task=chatbot" not in output  # chatbot carries no weight of its own
    assert "knowledge_change=daily" in output


def test_decide_marks_the_default_choice(terminal):
    term = terminal("decide")
    term.expect("What will the model mainly do")
    term.expect(r"Question answering over a knowledge base  \(default\)")


def test_new_asks_the_decision_then_lets_the_user_override_it(terminal, tmp_path):
    term = terminal(
        "new",
        str(tmp_path / "pty-app"),
        "--no-git",
        "--set",
        "knowledge_change=weekly",
        "--set",
        "citations=true",
        "--set",
        "labeled_data=none",
        "--set",
        "style_consistency=false",
        "--set",
        "latency_critical=false",
        "--set",
        "external_context=true",
        "--set",
        "domain_language=false",
        "--set",
        "training_budget=false",
        "--set",
        "knowledge_size=small",
    )
    term.expect("What will the model mainly do")
    term.press("\r")  # qa
    term.expect("Recommendation: RAG")
    term.expect("Which starter should be generated")
    term.press(DOWN, "\r")  # override: finetune
    while term.expect([r"Project \(distribution\) name", r"Created", r"\? |🎤"]) != 1:
        if "distribution" in term.child.after:
            term.press("\x15", "pty-app\r")  # clear the suggested name, type one
        else:
            term.press("\r")
    status, _ = term.finish()
    assert status == 0
    answers = yaml.safe_load((tmp_path / "pty-app" / ".copier-answers.yml").read_text())
    assert answers["approach"] == "finetune"
    assert answers["task"] == "qa" and answers["citations"] is True
    assert answers["project_name"] == "pty-app"
