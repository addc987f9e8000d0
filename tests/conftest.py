"""Shared fixtures: rendering templates into temporary folders and running their make targets.

Generated projects install heavy dependencies (torch, transformers, llama-index). To keep the
suite inside its time budget, most tests run a generated project's `make test` inside one
shared, cached virtual environment (`.cache/starter-venv`); the generated Makefiles honour an
active VIRTUAL_ENV. The fresh-venv tests (marked `fresh_venv`) still prove each project sets
itself up from nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import pytest

import scaffolder

REPO = Path(__file__).resolve().parent.parent
TORCH = os.environ.get("TORCH", "torch==2.13.0")
STARTER_VENV = REPO / ".cache" / "starter-venv"
#: The commit whose code and templates shipped as scaffolder 0.1.0.
RELEASED_0_1_0 = "02a2ede"


@pytest.fixture
def render(tmp_path: Path) -> Callable[..., Path]:
    """render(approach, **answers) -> path of a freshly generated project (no git)."""

    def _render(approach: str, name: str = "demo-app", **answers) -> Path:
        dest = tmp_path / name
        scaffolder.new(
            dest,
            approach=approach,
            answers={"project_name": name, **answers},
            defaults=True,
            git=False,
        )
        return dest

    return _render


@pytest.fixture(scope="session")
def starter_env() -> dict[str, str]:
    """Environment variables that make `make` in a generated project use the shared venv."""
    python = STARTER_VENV / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True).create(STARTER_VENV)
        subprocess.run([str(python), "-m", "pip", "install", "-q", TORCH, "uv"], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        VIRTUAL_ENV=str(STARTER_VENV),
        PATH=f"{STARTER_VENV / 'bin'}{os.pathsep}{env['PATH']}",
        TORCH=TORCH,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


@pytest.fixture
def fresh_env() -> dict[str, str]:
    """Environment for a true fresh-venv run: no active virtual environment at all."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != bin_dir)
    env["TORCH"] = TORCH
    return env


def run_make(project: Path, target: str, env: dict[str, str], *args: str, timeout: int = 1500):
    """Run a make target of a generated project; fail the test with its output's tail."""
    result = subprocess.run(
        ["make", target, f"TORCH={env['TORCH']}", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, (
        f"make {target} failed in {project}:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return result


@pytest.fixture(scope="session")
def scaffolder_0_1_0(tmp_path_factory) -> Path:
    """scaffolder as released at 0.1.0, installed on its own (templates inside the package)."""
    into = tmp_path_factory.mktemp("scaffolder-0.1.0")
    archive = subprocess.run(
        ["git", "archive", RELEASED_0_1_0, "scaffolder", "templates"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / "templates").rename(into / "scaffolder" / "templates")
    return into
