"""The guarded boundary: hostile or broken input ends in exit 2 with a one-line reason, runs
nothing, writes nothing, and never shows a traceback.

Every case runs the real command in a subprocess (`python -m scaffolder`), with its memory
capped so that a case that would blow up fails fast instead of swapping. Where a failure has
to happen halfway through (a disk that fills up, Ctrl-C), the subprocess gets it injected at
the exact moment through a small wrapper around `os.replace`; nothing else is mocked.
"""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from test_update_support import commit_all, git, release, tiny_template

import scaffolder

MEMORY_CAP = 1 << 30  # bytes of address space for each scaffolder subprocess
ALIAS_BOMB = (
    "task: [&a [lol, lol, lol, lol, lol, lol, lol, lol, lol],\n"
    + "".join(
        f"  &{name} [{', '.join([f'*{prev}'] * 9)}],\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "  *i]\n"
)


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def scaffolder_run(*args: str, cwd: Path, env: dict | None = None, code: str = ""):
    """Run the CLI in a fresh process; `code` runs first (to inject a failure)."""
    program = f"{code}\nfrom scaffolder.cli import main\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=_cap_memory,
        timeout=300,
    )


def assert_refused(result, *named: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    for text in named:
        assert text in output, output


def tree(root: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple]:
    """Everything under `root`: each path's kind, mode and content (or link target)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                found[str(path.relative_to(root))] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[str(path.relative_to(root))] = ("dir", info.st_mode)
            else:
                content = path.read_bytes()
                found[str(path.relative_to(root))] = ("file", info.st_mode, content)
    return found


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No team config from this machine, and git identity for the projects tests commit."""
    monkeypatch.delenv("SCAFFOLDER_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Test User")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "test@example.invalid")


def project_recording(tmp_path: Path, src_path: str, commit: object = "v0.1.0") -> Path:
    """A committed project whose answers file records `src_path` (and `commit`)."""
    project = tmp_path / "project"
    scaffolder.new(project, approach="rag", defaults=True, git=True)
    answers_file = project / ".copier-answers.yml"
    answers = yaml.safe_load(answers_file.read_text())
    answers.update(_src_path=src_path, _commit=commit)
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False))
    commit_all(project, "recorded source changed")
    return project


# The recorded template source ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "update"])
def test_an_option_shaped_source_in_a_cloned_project_runs_nothing(tmp_path, command):
    project = project_recording(tmp_path, "--upload-pack=touch pwned;: x.bundle")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(project), str(clone))
    before = tree(tmp_path, skip=(".git",))

    result = scaffolder_run(command, cwd=clone)

    assert_refused(result, "_src_path", "starts with '-'")
    assert not list(tmp_path.rglob("pwned"))
    assert tree(tmp_path, skip=(".git",)) == before


@pytest.mark.parametrize(
    "src_path", ["ext::sh -c touch% pwned", "bundled:other", "relative/folder"]
)
def test_a_recorded_source_of_no_allowed_form_is_refused_before_any_git_call(tmp_path, src_path):
    project = project_recording(tmp_path, src_path)
    result = scaffolder_run("check", cwd=project)
    assert_refused(result, "_src_path", "a source is a local path")
    assert not list(tmp_path.rglob("pwned"))


def test_a_recorded_version_that_is_not_text_is_refused(tmp_path):
    project = project_recording(tmp_path, "bundled:scaffolder", commit=["v0.1.0"])
    assert_refused(scaffolder_run("check", cwd=project), "_commit must be")


# Trust by resolved location ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template_at", "recorded", "trusted"),
    [
        ("good-evil", "{t}/good-evil", "{t}/good"),
        ("evil", "{t}/good/../evil", "{t}/good/"),
        ("evil", "{t}/good/link", "{t}/good/"),
    ],
)
def test_a_trusted_prefix_covers_only_what_lies_under_it(tmp_path, template_at, recorded, trusted):
    repo = tiny_template(tmp_path / template_at, {"hello.txt": "hi\n"})
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "link").symlink_to(repo)
    project = tmp_path / "app"
    scaffolder.new(project, template=repo, approach="rag", defaults=True)
    release(
        repo, "v2.0.0", {"hello.txt": "hello\n"}, config={"_migrations": ["touch migrated.txt"]}
    )
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(
        answers_file.read_text().replace(str(repo), recorded.format(t=tmp_path))
    )
    commit_all(project, "source recorded another way")
    config = tmp_path / "team.toml"
    config.write_text(f'[trust]\nsources = ["{trusted.format(t=tmp_path)}"]\n')
    before = tree(tmp_path, skip=(".git",))

    result = scaffolder_run("update", "--config", str(config), cwd=project)

    assert_refused(result, "migrations", "--trust")
    assert not list(tmp_path.rglob("migrated.txt"))
    assert tree(tmp_path, skip=(".git",)) == before


def test_a_new_project_from_a_sibling_of_a_trusted_folder_runs_no_tasks(tmp_path):
    repo = tiny_template(
        tmp_path / "good-evil", {"hello.txt": "hi\n"}, config={"_tasks": ["touch task-ran.txt"]}
    )
    config = tmp_path / "team.toml"
    config.write_text(f'[trust]\nsources = ["{tmp_path}/good"]\n')
    before = tree(tmp_path)

    result = scaffolder_run(
        "new", "app", "--template", str(repo), "--defaults", "--config", str(config), cwd=tmp_path
    )

    assert_refused(result, "tasks")
    assert tree(tmp_path) == before


# --force: confined and atomic ----------------------------------------------------------------


@pytest.fixture
def users_folder(tmp_path) -> Path:
    """A folder with the user's own files, some of which the template also produces."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "README.md").write_text("my readme\n")
    (folder / ".gitignore").write_text("my-ignores\n")
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "tests").mkdir()
    (folder / "tests" / "test_mine.py").write_text("def test_mine(): pass\n")
    return folder


def test_force_refuses_to_write_through_a_symlink_out_of_dest(tmp_path, users_folder):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (users_folder / "src").symlink_to(outside)
    before = tree(tmp_path)

    result = scaffolder_run(
        "new", str(users_folder), "--approach", "rag", "--defaults", "--force", cwd=tmp_path
    )

    assert_refused(result, f"{users_folder / 'src'} is a symbolic link")
    assert not any(outside.iterdir())
    assert tree(tmp_path) == before


INJECT = """
import os, errno, signal
_real_replace, _moves = os.replace, []
def _replace(source, target, *args, **kwargs):
    if str(target).startswith({dest!r} + os.sep):
        _moves.append(target)
        if len(_moves) == 4:
            {failure}
    return _real_replace(source, target, *args, **kwargs)
os.replace = _replace
"""


@pytest.mark.parametrize(
    ("failure", "exit_code", "said"),
    [
        ('raise OSError(errno.ENOSPC, "No space left on device")', 2, "No space left on device"),
        ("os.kill(os.getpid(), signal.SIGINT)", 1, "Aborted"),
    ],
    ids=["disk-full", "ctrl-c"],
)
def test_force_interrupted_midway_leaves_the_folder_exactly_as_it_was(
    tmp_path, users_folder, failure, exit_code, said
):
    before = tree(tmp_path)
    code = textwrap.dedent(INJECT).format(dest=str(users_folder), failure=failure)

    result = scaffolder_run(
        "new", str(users_folder), "--approach", "rag", "--defaults", "--force", cwd=tmp_path,
        code=code,
    )  # fmt: skip

    output = result.stdout + result.stderr
    assert result.returncode == exit_code and said in output, output
    assert "Traceback" not in output
    assert tree(tmp_path) == before


def test_force_replaces_only_template_files_and_keeps_the_users_own(tmp_path, users_folder):
    result = scaffolder_run(
        "new", str(users_folder), "--approach", "rag", "--defaults", "--force", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (users_folder / "notes.txt").read_text() == "my notes\n"
    assert (users_folder / "tests" / "test_mine.py").exists()
    assert (users_folder / "README.md").read_text() != "my readme\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_new_dot_in_an_empty_folder_keeps_the_folder_itself(tmp_path):
    folder = tmp_path / "here"
    folder.mkdir()
    folder.chmod(0o751)
    inode = folder.stat().st_ino

    result = scaffolder_run("new", ".", "--approach", "rag", "--defaults", cwd=folder)

    assert result.returncode == 0, result.stderr
    assert folder.stat().st_ino == inode
    assert stat.S_IMODE(folder.stat().st_mode) == 0o751
    assert (folder / ".copier-answers.yml").is_file() and (folder / ".git").is_dir()


# Bounded input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"task: qa\ndescription: caf\xe9\n", "not UTF-8 text: byte 0xe9 at offset 25"),
        (ALIAS_BOMB.encode(), "aliases (*a) are not allowed"),
        (b"description: " + b"x" * 1_100_000 + b"\n", "larger than 1 MB"),
    ],
    ids=["not-utf8", "alias-bomb", "too-large"],
)
def test_a_hostile_answers_file_is_refused_quickly(tmp_path, content, named):
    answers = tmp_path / "answers.yml"
    answers.write_bytes(content)
    before = tree(tmp_path)
    result = scaffolder_run(
        "new", "app", "--approach", "rag", "--defaults", "--answers", str(answers), cwd=tmp_path
    )
    assert_refused(result, named)
    assert tree(tmp_path) == before


def test_a_team_config_that_is_not_utf8_is_refused_naming_the_offset(tmp_path):
    config = tmp_path / "team.toml"
    content = b'[answers]\nauthor_name = "Jos\xe9"\n'
    config.write_bytes(content)
    result = scaffolder_run("new", "app", "--approach", "rag", "--defaults", "--config",
                            str(config), cwd=tmp_path)  # fmt: skip
    offset = content.index(b"\xe9")
    assert_refused(result, "team.toml, line 2: not UTF-8 text", f"at offset {offset};")
    assert not (tmp_path / "app").exists()


def test_a_recorded_answers_file_with_aliases_is_refused(tmp_path):
    project = project_recording(tmp_path, "bundled:scaffolder")
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(answers_file.read_text() + "extra: &x [1, 2]\nmore: *x\n")
    assert_refused(scaffolder_run("check", cwd=project), "aliases (*x) are not allowed")


def test_a_huge_bad_value_is_cut_short_in_the_message(tmp_path):
    result = scaffolder_run("decide", "--json", "--set", "task=" + "x" * 100_000, cwd=tmp_path)
    assert_refused(result, "invalid value", "more characters")
    assert len(result.stderr) < 2_000


# The destination and the file system ---------------------------------------------------------


@pytest.mark.parametrize("target", ["missing", "empty-folder"])
def test_a_symlink_as_dest_is_refused_naming_it(tmp_path, target):
    if target == "empty-folder":
        (tmp_path / target).mkdir()
    (tmp_path / "app").symlink_to(tmp_path / target)
    before = tree(tmp_path)
    result = scaffolder_run("new", "app", "--approach", "rag", "--defaults", cwd=tmp_path)
    assert_refused(result, f"{tmp_path / 'app'} is a symbolic link")
    assert tree(tmp_path) == before


def test_a_dest_name_longer_than_the_file_system_allows_is_refused(tmp_path):
    result = scaffolder_run("new", "a" * 300, "--approach", "rag", "--defaults", cwd=tmp_path)
    assert_refused(result, "300 bytes long")
    assert not any(tmp_path.iterdir())


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write in: a read-only mount for root, else a mode without write."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"running as root and cannot mount a read-only folder: {mounted.stderr!r}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_parent_folder_is_reported_in_one_line(read_only_folder):
    dest = read_only_folder / "app"
    result = scaffolder_run("new", str(dest), "--approach", "rag", "--defaults", cwd=dest.parent)
    assert_refused(result)
    error = result.stderr.strip()
    assert len(error.splitlines()) == 1 and str(dest) in error
    assert "Read-only file system" in error or "Permission denied" in error
    assert not any(read_only_folder.iterdir())


def test_a_git_failure_at_the_first_commit_carries_gits_reason_and_writes_nothing(tmp_path):
    unwritable_index = tmp_path / "no-such-folder" / "index"
    result = scaffolder_run(
        "new", "app", "--approach", "rag", "--defaults", cwd=tmp_path,
        env={"GIT_INDEX_FILE": str(unwritable_index)},
    )  # fmt: skip
    assert_refused(result, "git add failed", "index.lock")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_git_missing_is_reported_not_a_traceback(tmp_path):
    no_git = tmp_path / "bin"
    no_git.mkdir()
    (no_git / "python").symlink_to(sys.executable)
    result = scaffolder_run(
        "new", "app", "--approach", "rag", "--defaults", cwd=tmp_path, env={"PATH": str(no_git)}
    )
    assert_refused(result, "git is not installed")
    assert not (tmp_path / "app").exists()
    shutil.rmtree(no_git)
