"""Generated projects' tooling agrees with itself: one ruff, a CI that lints, tests and checks."""

from __future__ import annotations

import pytest
import tomllib
import yaml

APPROACHES = ["rag", "finetune", "hybrid"]


@pytest.mark.parametrize("approach", APPROACHES)
def test_pre_commit_runs_the_same_ruff_as_the_projects_dev_requirement(render, approach):
    project = render(approach)
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())["repos"]
    pinned = next(h["rev"] for h in hooks if h["repo"].endswith("/ruff-pre-commit"))
    dev = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["dev"]
    assert f"ruff=={pinned.removeprefix('v')}" in dev


@pytest.mark.parametrize("approach", APPROACHES)
def test_ci_caches_downloads_lints_tests_and_checks_for_template_updates(render, approach):
    workflow = yaml.safe_load((render(approach) / ".github" / "workflows" / "ci.yml").read_text())
    steps = workflow["jobs"]["test"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert "make lint" in commands and "make test" in commands
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache"))
    assert "~/.cache/uv" in cache["with"]["path"]
    check = [step.get("run", "") for step in workflow["jobs"]["template"]["steps"]]
    assert "pip install scaffolder-llm && scaffolder check" in check
