"""`scaffolder update` and `scaffolder check`: three-way merges that never lose a user's line."""

from __future__ import annotations

import os
import shutil
import sys
import time

import pexpect
import pytest
from click.testing import CliRunner
from test_update_support import (
    answers_of,
    commit_all,
    git,
    install,
    new_project,
    release,
    run_installed,
    snapshot,
    tiny_template,
)

import scaffolder
from scaffolder.cli import cli
from scaffolder.errors import InvalidInput, MissingAnswers
from scaffolder.updating import DirtyProject, NotAGitProject

NOTES = "".join(f"line {i}\n" for i in range(10))


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.fixture
def tiny(tmp_path):
    """A tiny template at v1.0.0 and a committed project made from it."""
    repo = tiny_template(
        tmp_path / "template", {"notes.txt": NOTES, "gone.txt": "old\n", "edited-gone.txt": "old\n"}
    )
    project = new_project(tmp_path / "project", template=repo)
    return repo, project


def edit_and_commit(project, name, old, new):
    path = project / name
    path.write_text(replace_line(path.read_text(), old, new))
    commit_all(project, f"edit {name}")


def test_template_changes_arrive_and_user_edits_stay(tiny):
    repo, project = tiny
    edit_and_commit(project, "notes.txt", "line 1\n", "line 1 edited by the user\n")
    release(repo, "v2.0.0", {"notes.txt": replace_line(NOTES, "line 8\n", "line 8 from v2\n")})

    result = scaffolder.update(project)

    text = (project / "notes.txt").read_text()
    assert "line 1 edited by the user\n" in text and "line 8 from v2\n" in text
    assert result.conflicts == [] and result.to_ref == "v2.0.0"
    assert answers_of(project)["_commit"] == "v2.0.0"


def test_a_conflict_is_marked_listed_with_the_command_to_find_it_and_exits_1(tiny):
    repo, project = tiny
    edit_and_commit(project, "notes.txt", "line 4\n", "line 4 as the user wants it\n")
    release(repo, "v2.0.0", {"notes.txt": replace_line(NOTES, "line 4\n", "line 4 from v2\n")})

    result = invoke("update", str(project))

    assert result.exit_code == 1
    text = (project / "notes.txt").read_text()
    assert "line 4 as the user wants it\n" in text and "line 4 from v2\n" in text
    assert "<<<<<<< yours" in text and ">>>>>>> template v2.0.0" in text
    assert "notes.txt" in result.output and "git diff --name-only --diff-filter=U" in result.output
    assert git(project, "diff", "--name-only", "--diff-filter=U") == "notes.txt\n"


def test_rej_mode_keeps_every_user_line_in_the_file(tiny):
    repo, project = tiny
    text = replace_line(NOTES, "line 2\n", "line 2 by the user\n")
    (project / "notes.txt").write_text(replace_line(text, "line 7\n", "line 7 by the user\n"))
    commit_all(project)
    template = replace_line(NOTES, "line 2\n", "line 2 from v2\n")
    release(repo, "v2.0.0", {"notes.txt": template.replace("line 9\n", "line 9 from v2\n")})

    result = invoke("update", str(project), "--conflict", "rej")

    assert result.exit_code == 1
    assert "notes.txt" in result.output and "find . -name '*.rej'" in result.output
    kept = (project / "notes.txt").read_text()
    assert "line 2 by the user\n" in kept and "line 7 by the user\n" in kept
    assert "line 9 from v2\n" in kept  # the template's non-conflicting change still arrives
    assert "<<<<<<<" not in kept and "=======" not in kept
    reject = (project / "notes.txt.rej").read_text()
    assert "+line 2 from v2\n" in reject and "-line 2\n" in reject


def test_a_file_the_template_dropped_is_kept_when_the_user_changed_it(tiny):
    repo, project = tiny
    edit_and_commit(project, "edited-gone.txt", "old\n", "old\nmine\n")
    release(repo, "v2.0.0", {"gone.txt": None, "edited-gone.txt": None})

    result = scaffolder.update(project)

    assert not (project / "gone.txt").exists()
    assert (project / "edited-gone.txt").read_text() == "old\nmine\n"
    actions = {c.path: c.action for c in result.changes}
    assert actions["gone.txt"] == "removed" and actions["edited-gone.txt"] == "kept"


def test_answers_record_a_stable_source_never_a_package_path(tmp_path, tiny):
    _, team_project = tiny
    bundled = new_project(tmp_path / "bundled-app")
    text = (bundled / ".copier-answers.yml").read_text()
    assert answers_of(bundled)["_src_path"] == "bundled:scaffolder"
    assert answers_of(bundled)["_commit"] == f"v{scaffolder.__version__}"
    assert str(scaffolder.catalog.bundled_templates()) not in text and "/tmp" not in text
    assert answers_of(team_project)["_src_path"] == str((tmp_path / "template").resolve())


def test_pretend_writes_nothing(tiny):
    repo, project = tiny
    edit_and_commit(project, "notes.txt", "line 4\n", "line 4 by the user\n")
    release(
        repo,
        "v2.0.0",
        {
            "notes.txt": replace_line(NOTES, "line 4\n", "line 4 from v2\n"),
            "gone.txt": None,
            "new.txt": "new\n",
        },
    )
    before = snapshot(project)

    result = invoke("update", str(project), "--pretend")

    assert result.exit_code == 0, result.output
    assert snapshot(project) == before
    assert "nothing was written" in result.output and "conflict" in result.output


def test_a_dirty_tree_is_refused_with_the_fix(tiny):
    repo, project = tiny
    release(repo, "v2.0.0", {"notes.txt": "changed\n"})
    (project / "notes.txt").write_text("uncommitted\n")
    (project / "scratch.py").write_text("untracked\n")
    before = snapshot(project)

    result = invoke("update", str(project))

    assert result.exit_code == 2
    assert "uncommitted changes" in result.output and "git stash" in result.output
    assert "notes.txt" in result.output and "scratch.py" in result.output
    assert snapshot(project) == before
    with pytest.raises(DirtyProject):
        scaffolder.update(project)


def test_a_project_outside_git_is_refused_with_the_fix(tmp_path):
    project = tmp_path / "app"
    scaffolder.new(project, approach="rag", defaults=True, git=False)
    before = snapshot(project)

    with pytest.raises(NotAGitProject, match="git init"):
        scaffolder.update(project)
    assert invoke("update", str(project)).exit_code == 2
    assert snapshot(project) == before


def test_new_questions_are_refused_without_an_answer_and_defaulted_with_defaults(tiny):
    repo, project = tiny
    release(
        repo,
        "v2.0.0",
        {"LICENSE.jinja": "{{ licence }}\n"},
        config={"licence": {"type": "str", "default": "MIT"}},
    )
    before = snapshot(project)

    with pytest.raises(MissingAnswers, match="licence"):
        scaffolder.update(project)
    assert snapshot(project) == before

    scaffolder.update(project, defaults=True)
    assert (project / "LICENSE").read_text() == "MIT\n"
    assert answers_of(project)["licence"] == "MIT"


def test_set_changes_an_answer_and_the_files_that_use_it(tmp_path):
    repo = tiny_template(tmp_path / "template", {"NAME.jinja": "{{ project_name }}\n"})
    project = new_project(tmp_path / "project", template=repo, project_name="first")

    invoke_result = invoke("update", str(project), "--set", "project_name=second")

    assert invoke_result.exit_code == 0, invoke_result.output
    assert (project / "NAME").read_text() == "second\n"
    assert answers_of(project)["project_name"] == "second"
    assert "project_name: first -> second" in invoke_result.output


def test_vcs_ref_picks_the_version_and_check_reports_the_newer_one(tiny):
    repo, project = tiny
    release(repo, "v2.0.0", {"notes.txt": NOTES + "v2\n"})
    release(repo, "v3.0.0", {"notes.txt": NOTES + "v2\nv3\n"})

    behind = invoke("check", str(project))
    assert behind.exit_code == 1
    assert "v3.0.0 is newer than the project's v1.0.0" in behind.output

    scaffolder.update(project, vcs_ref="v2.0.0")
    assert (project / "notes.txt").read_text().endswith("v2\n")
    commit_all(project, "update to v2")
    assert invoke("check", str(project)).exit_code == 1

    scaffolder.update(project)
    commit_all(project, "update to v3")
    current = invoke("check", str(project))
    assert current.exit_code == 0 and "up to date" in current.output


def test_an_update_without_template_changes_changes_nothing(tmp_path):
    """Context that is not a recorded question would render differently on the old side."""
    repo = tiny_template(
        tmp_path / "template", {"context.txt.jinja": "{{ task | default('no task') }}\n"}
    )
    project = new_project(tmp_path / "project", template=repo, task="classification")
    bundled = new_project(tmp_path / "bundled", task="summarization", citations="true")

    assert (project / "context.txt").read_text() == "no task\n"
    for made in (project, bundled):
        result = scaffolder.update(made)
        assert result.changes == [] and git(made, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--set", "colour=blue"], "unknown question id 'colour'"),
        (["--set", "template_version=9"], "set by scaffolder itself"),
        (["--set", "nokey"], "KEY=VALUE"),
        (["--conflict", "theirs"], "'theirs' is not one of 'inline', 'rej'"),
        (["--vcs-ref", "v0.0.1"], "cannot get version 'v0.0.1'"),
    ],
)
def test_bad_input_exits_2_names_the_problem_and_writes_nothing(tiny, args, named):
    _, project = tiny
    before = snapshot(project)
    result = invoke("update", str(project), *args)
    assert result.exit_code == 2 and named in result.output, result.output
    assert snapshot(project) == before


def test_a_folder_that_is_not_a_project_is_refused(tmp_path):
    result = invoke("update", str(tmp_path))
    assert result.exit_code == 2 and "no .copier-answers.yml" in result.output


def test_an_unknown_approach_is_refused_with_the_choices(tmp_path):
    project = new_project(tmp_path / "app")
    with pytest.raises(InvalidInput, match="rag, finetune, hybrid"):
        scaffolder.update(project, answers={"approach": "agents"})


def test_pivot_from_rag_to_hybrid_keeps_the_users_module(tmp_path):
    project = new_project(tmp_path / "support-bot", approach="rag")
    package = project / "src" / "support_bot"
    (package / "policies.py").write_text("RULES = ['be kind']\n")
    commit_all(project, "my own module")

    result = invoke("update", str(project), "--set", "approach=hybrid", "--defaults")

    assert result.exit_code in (0, 1), result.output
    assert (package / "policies.py").read_text() == "RULES = ['be kind']\n"
    assert answers_of(project)["approach"] == "hybrid"
    assert "approach: rag -> hybrid" in result.output
    fresh = tmp_path / "fresh-hybrid"
    scaffolder.new(
        fresh, approach="hybrid", answers={"project_name": "support-bot"}, defaults=True, git=False
    )
    for made in sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()):
        assert (project / made).is_file(), f"{made} of the hybrid starter did not arrive"


def test_a_pivot_records_whether_the_new_approach_goes_against_the_recommendation(tmp_path):
    project = new_project(tmp_path / "app", approach="rag", task="qa", citations=True)
    assert answers_of(project)["approach_override"] is False

    scaffolder.update(project, answers={"approach": "hybrid"}, defaults=True)

    assert answers_of(project)["approach_override"] is True


def test_offline_upgrade_from_a_fresh_clone_with_an_empty_home(tmp_path):
    """Made with version N; updated from a teammate's clone where only N+1 is installed."""
    old = install(tmp_path / "install-0.1", "0.1.0")
    new = install(
        tmp_path / "install-0.2",
        "0.2.0",
        history_from=old,
        template_edits={"_shared/gitignore.jinja": "# added in 0.2.0\n"},
    )
    made = run_installed(
        old, tmp_path / "home-a", tmp_path, "new", "acme-bot", "--approach", "rag", "--defaults"
    )
    assert made.returncode == 0, made.stderr
    project = tmp_path / "acme-bot"
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nOur team notes.\n")
    (project / "src" / "acme_bot" / "mine.py").write_text("VALUE = 1\n")
    commit_all(project, "our work")
    clone = tmp_path / "teammate" / "acme-bot"
    git(tmp_path, "clone", "-q", str(project), str(clone))
    shutil.rmtree(old)  # version N exists nowhere on this machine now
    behind = run_installed(new, tmp_path / "empty-home", clone, "check")
    assert behind.returncode == 1 and "v0.2.0 is newer than the project's v0.1.0" in behind.stdout

    updated = run_installed(new, tmp_path / "empty-home", clone, "update")

    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert (clone / ".gitignore").read_text().endswith("# added in 0.2.0\n")
    assert (clone / "README.md").read_text().endswith("\nOur team notes.\n")
    assert (clone / "src" / "acme_bot" / "mine.py").read_text() == "VALUE = 1\n"
    assert answers_of(clone)["_commit"] == "v0.2.0"
    assert answers_of(clone)["template_version"] == "0.2.0"
    assert run_installed(new, tmp_path / "empty-home", clone, "check").returncode == 0


def test_without_the_old_version_every_difference_is_a_conflict_to_review(tmp_path):
    old = install(tmp_path / "install-0.1", "0.1.0")
    unreleased = install(
        tmp_path / "install-0.2",
        "0.2.0",
        release_it=False,
        template_edits={"_shared/gitignore.jinja": "# added in 0.2.0\n"},
    )
    assert (
        run_installed(
            old, tmp_path / "home", tmp_path, "new", "app", "--approach", "rag", "--defaults"
        ).returncode
        == 0
    )
    project = tmp_path / "app"
    gitignore = project / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "my-secrets/\n")
    commit_all(project, "ignore my secrets")

    updated = run_installed(unreleased, tmp_path / "home", project, "update")

    assert updated.returncode == 1
    assert "does not carry the templates of version 0.1.0" in updated.stderr
    text = gitignore.read_text()
    assert "my-secrets/\n" in text and "# added in 0.2.0\n" in text and "<<<<<<< yours" in text


def test_on_a_terminal_a_new_question_is_asked(tiny):
    repo, project = tiny
    release(
        repo,
        "v2.0.0",
        {"LICENSE.jinja": "{{ licence }}\n"},
        config={"licence": {"type": "str", "default": "MIT", "help": "Which licence?"}},
    )
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scaffolder", "update"],
        cwd=str(project),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 160),
    )
    try:
        child.expect("Which licence")
        time.sleep(0.3)  # prompt_toolkit drops keys typed before it has drawn the prompt
        child.send("\x15Apache-2.0\r")  # Ctrl-U clears the default, then the answer
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    assert (project / "LICENSE").read_text() == "Apache-2.0\n"
    assert answers_of(project)["licence"] == "Apache-2.0"


def test_pretend_runs_no_copier_task_even_with_trust(tmp_path):
    marker = tmp_path / "task-ran"
    repo = tiny_template(tmp_path / "template", {"hello.txt": "hi\n"})
    project = tmp_path / "app"
    scaffolder.new(project, template=repo, approach="rag", defaults=True)
    release(repo, "v2.0.0", {"hello.txt": "hello\n"}, config={"_tasks": [f"touch {marker}"]})

    pretend = invoke("update", str(project), "--trust", "--pretend")

    assert pretend.exit_code == 0, pretend.output
    assert not marker.exists(), "--pretend ran a copier task"
    assert invoke("update", str(project), "--trust").exit_code == 0
    assert marker.exists()
