"""The installed `scaffolder` as a real process: no terminal, no waiting; startup stays light."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCAFFOLDER = [sys.executable, "-m", "scaffolder"]


def run(*args, cwd=None, timeout=60):
    return subprocess.run(
        [*SCAFFOLDER, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        cwd=cwd,
    )


def test_decide_without_terminal_never_waits_and_exits_2():
    result = run("decide", timeout=20)
    assert result.returncode == 2
    assert "no terminal" in result.stderr and "knowledge_change" in result.stderr


def test_decide_json_without_terminal_prints_only_json_on_stdout():
    result = run("decide", "--json", "--set", "task=qa", timeout=20)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["approach"] == "rag"


def test_new_without_terminal_lists_missing_ids_and_writes_nothing(tmp_path):
    result = run("new", str(tmp_path / "app"), timeout=20)
    assert result.returncode == 2
    for question_id in ("task", "labeled_data", "project_name"):
        assert question_id in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_with_defaults_renders_a_project(tmp_path):
    result = run("new", str(tmp_path / "app"), "--defaults", "--no-git")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "app" / "pyproject.toml").is_file()


@pytest.mark.parametrize("argv", [["--help"], ["decide", "--json"], ["templates"]])
def test_light_commands_do_not_import_copier_or_ml_libraries(argv):
    probe = (
        "import sys\n"
        "from scaffolder.cli import cli\n"
        f"try: cli({argv!r}, prog_name='scaffolder')\n"
        "except SystemExit: pass\n"
        "heavy = {'copier', 'torch', 'transformers', 'questionary', 'jinja2'} & set(sys.modules)\n"
        "print('HEAVY', sorted(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "scaffolder"
    assert os.access(script, os.X_OK)
    assert subprocess.run([str(script), "--version"], capture_output=True).returncode == 0
