"""The hybrid starter: composed from the RAG and fine-tuning templates, never copied from them,
and its generated project passes its own tests."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_make

import scaffolder

TEMPLATES = REPO / "templates"
PAIR = re.compile(r"^D\d+ (\S+?):\d+-\d+ ~ (\S+?):\d+-\d+")


def without_jinja_suffix(tree: Path) -> None:
    """Rename every `x.jinja` to `x`, so `duplicates` reads the files by their real type."""
    for path in sorted(tree.rglob("*.jinja"), key=lambda p: len(p.parts), reverse=True):
        path.rename(path.with_name(path.name.removesuffix(".jinja")))


def starter(path: str) -> str:
    return path.split("/", 1)[0]


@pytest.mark.skipif(
    shutil.which("duplicates") is None, reason="the `duplicates` tool is not on PATH"
)
def test_no_hybrid_file_repeats_the_rag_or_finetune_templates(tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    without_jinja_suffix(copy)
    report = subprocess.run(
        ["duplicates", "--repo", str(copy), "--most", "200", "--seconds", "120"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "incomplete:" not in report, report
    pairs = [PAIR.match(line).groups() for line in report.splitlines() if PAIR.match(line)]
    crossing = [
        pair
        for pair in pairs
        if {starter(p) for p in pair} & {"hybrid"}
        and {starter(p) for p in pair} & {"rag", "finetune"}
    ]
    assert crossing == [], report


@pytest.mark.parametrize("other", ["rag", "finetune"])
def test_hybrid_modules_are_the_other_starters_modules_as_they_render(tmp_path, other):
    def package(approach: str) -> Path:
        dest = tmp_path / approach
        scaffolder.new(
            dest, approach=approach, answers={"project_name": "demo-app"}, defaults=True, git=False
        )
        return dest / "src" / "demo_app"

    hybrid, single = package("hybrid"), package(other)
    # the package's docstring and the recorded answers name the approach
    skip = {"__init__.py", "answers.json"}
    modules = sorted(p.name for p in single.iterdir() if p.is_file() and p.name not in skip)
    assert "cli.py" in modules and len(modules) >= 6
    for module in modules:
        if not (hybrid / other / module).exists():
            # a module of the whole project (about, access, the config loader): shipped once
            assert (hybrid / module).read_text() == (single / module).read_text(), module
            continue
        composed, original = (hybrid / other / module).read_text(), (single / module).read_text()
        if (other, module) == ("rag", "models.py"):
            # the hybrid's answers come from the tuned model: its load_generator replaces the
            # starter's and the starter's generators (all that follows it) are not rendered
            assert "tuned_generator" in function_source(composed, "load_generator")
            composed = composed[: composed.index("def load_generator")]
            original = original[: original.index("def load_generator")]
            original = original.replace(", LLMConfig", "")
        if (other, module) == ("rag", "config.py"):
            # ... so its RAG settings have no `llm` section
            original = original.replace(function_source(original, "LLMConfig"), "")
            llm_key = "    llm: LLMConfig = Field(default_factory=LLMConfig)\n"
            original = original.replace(llm_key, "")
        assert single_blank_runs(composed) == single_blank_runs(original), module


def single_blank_runs(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n\n", text).rstrip("\n")


@pytest.mark.parametrize(
    ("hybrid_file", "starter_file"),
    [
        ("hybrid/config/rag.yaml.jinja", "rag/config/rag.yaml.jinja"),
        ("hybrid/config/train.yaml.jinja", "finetune/config/train.yaml.jinja"),
    ],
)
def test_hybrid_config_files_extend_the_starters_and_only_replace_blocks(hybrid_file, starter_file):
    text = (TEMPLATES / hybrid_file).read_text(encoding="utf-8")
    assert text.startswith(f'{{% extends "{starter_file}" %}}')
    outside_blocks = re.sub(r"{%-? block \w+ .*?{%-? endblock -?%}", "", text, flags=re.S)
    assert re.sub(r"{#.*?#}|{%.*?%}", "", outside_blocks, flags=re.S).strip() == ""


def function_source(module_text: str, name: str) -> str:
    """The source lines of top-level function `name` in a module's text."""
    (node,) = (n for n in ast.parse(module_text).body if getattr(n, "name", None) == name)
    lines = module_text.splitlines(keepends=True)
    return "".join(lines[node.lineno - 1 : node.end_lineno])


@pytest.mark.slow
def test_generated_hybrid_project_passes_its_own_make_test(render, starter_env):
    project = render("hybrid")
    run_make(project, "test", starter_env)
