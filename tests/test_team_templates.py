"""Team-standard starters: `--template SRC`, the team config, locked answers, and trust."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_update_support import (
    ANSWERS_TEMPLATE,
    answers_of,
    commit_all,
    git,
    release,
    snapshot,
    tiny_template,
    write_files,
)

import scaffolder
from scaffolder import sources
from scaffolder.catalog import bundled_templates
from scaffolder.cli import cli
from scaffolder.sources import UntrustedTemplate

TASK = {"_tasks": ["touch task-ran.txt"]}


def invoke(*args: str, env: dict | None = None):
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    """Each test starts without a team config from the machine it runs on."""
    monkeypatch.delenv("SCAFFOLDER_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def team_fork(tmp_path):
    """A team's fork of the bundled templates in a local git repository, tags v1.0.0 and v2.0.0."""
    repo = tmp_path / "acme-starters"
    shutil.copytree(
        bundled_templates(), repo / "templates", ignore=shutil.ignore_patterns("__pycache__")
    )
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    commit_all(repo, "fork")
    git(repo, "tag", "v1.0.0")
    gitignore = repo / "templates" / "_shared" / "gitignore.jinja"
    release(
        repo,
        "v2.0.0",
        {str(gitignore.relative_to(repo)): gitignore.read_text() + "# acme standard\n"},
    )
    return repo


def team_config(path, text: str):
    path.write_text(text)
    return path


def test_a_team_fork_renders_its_newest_tag_and_updates_from_a_pinned_one(tmp_path, team_fork):
    config = team_config(
        tmp_path / "team.toml", f'[template]\nsource = "{team_fork}"\nversion = "v1.0.0"\n'
    )
    dest = tmp_path / "bot"
    made = invoke("new", str(dest), "--approach", "rag", "--defaults", "--config", str(config))
    assert made.exit_code == 0, made.output
    assert answers_of(dest)["_src_path"] == str(team_fork)
    assert answers_of(dest)["_commit"] == "v1.0.0"
    assert "# acme standard" not in (dest / ".gitignore").read_text()

    behind = invoke("check", str(dest))
    assert behind.exit_code == 1 and "v2.0.0 is newer than the project's v1.0.0" in behind.output
    updated = invoke("update", str(dest))
    assert updated.exit_code == 0, updated.output
    assert (dest / ".gitignore").read_text().endswith("# acme standard\n")
    assert answers_of(dest)["_commit"] == "v2.0.0"

    latest = tmp_path / "latest"
    assert (
        invoke(
            "new",
            str(latest),
            "--approach",
            "rag",
            "--defaults",
            "--no-git",
            "--template",
            str(team_fork),
        ).exit_code
        == 0
    )
    assert answers_of(latest)["_commit"] == "v2.0.0"


def test_templates_lists_where_each_starter_comes_from(tmp_path, team_fork):
    config = team_config(tmp_path / "team.toml", f'[template]\nsource = "{team_fork}"\n')
    result = invoke("templates", "--config", str(config))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["rag", "finetune", "hybrid"]
    assert all(f"team: {team_fork} @ v2.0.0" in line for line in lines[:3])
    assert all("bundled: scaffolder" in line for line in lines[3:6])
    assert str(config) in result.output


def test_default_and_locked_answers_apply_and_a_locked_one_cannot_be_overridden(tmp_path):
    config = team_config(
        tmp_path / "team.toml",
        '[answers]\ndescription = "Acme support assistant"\n[locked]\nauthor_name = "Acme ML"\n',
    )
    dest = tmp_path / "bot"
    refused = invoke(
        "new",
        str(dest),
        "--approach",
        "rag",
        "--defaults",
        "--config",
        str(config),
        "--set",
        "author_name=Someone Else",
    )
    assert refused.exit_code == 2
    assert "locked" in refused.output and "Acme ML" in refused.output
    assert not dest.exists()

    made = invoke("new", str(dest), "--approach", "rag", "--defaults", "--config", str(config))
    assert made.exit_code == 0, made.output
    assert answers_of(dest)["author_name"] == "Acme ML"
    assert answers_of(dest)["description"] == "Acme support assistant"

    before = snapshot(dest)
    result = invoke("update", str(dest), "--config", str(config), "--set", "author_name=Other")
    assert result.exit_code == 2 and "locked" in result.output
    assert snapshot(dest) == before


def test_the_config_is_found_by_environment_variable_and_in_the_user_config_dir(tmp_path):
    locked = '[locked]\nauthor_name = "Found It"\n'
    by_env = team_config(tmp_path / "env.toml", locked)
    made = invoke(
        "new",
        str(tmp_path / "a"),
        "--approach",
        "rag",
        "--defaults",
        env={"SCAFFOLDER_CONFIG": str(by_env)},
    )
    assert made.exit_code == 0, made.output
    assert answers_of(tmp_path / "a")["author_name"] == "Found It"

    user_dir = tmp_path / "xdg-config" / "scaffolder"
    user_dir.mkdir(parents=True)
    team_config(user_dir / "config.toml", locked.replace("Found It", "User Dir"))
    assert invoke("new", str(tmp_path / "b"), "--approach", "rag", "--defaults").exit_code == 0
    assert answers_of(tmp_path / "b")["author_name"] == "User Dir"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[template\nsource = 1", "malformed TOML"),
        ("[templates]\nsource = 'x'\n", "unknown section [templates]"),
        ("[template]\nbranch = 'x'\n", "unknown key 'branch'"),
        ("[template]\nsource = 'no/such/folder'\n", "no such folder"),
        ("[trust]\nsources = 'gh:acme/'\n", "must be a list"),
        ("[answers]\nflavour = 'x'\n", "[answers] 'flavour' is not a question of the template"),
        ("[locked]\nflavour = 'x'\n", "[locked] 'flavour' is not a question of the template"),
    ],
)
def test_a_bad_team_config_exits_2_naming_the_problem(tmp_path, text, named):
    config = team_config(tmp_path / "team.toml", text)
    result = invoke(
        "new", str(tmp_path / "app"), "--approach", "rag", "--defaults", "--config", str(config)
    )
    assert result.exit_code == 2 and named in result.output, result.output
    assert not (tmp_path / "app").exists()


def test_untrusted_tasks_do_not_run_and_the_refusal_says_how_to_allow_them(tmp_path):
    repo = tiny_template(tmp_path / "template", {"hello.txt": "hi\n"}, config=TASK)
    dest = tmp_path / "app"

    refused = invoke("new", str(dest), "--template", str(repo), "--defaults")
    assert refused.exit_code == 2
    assert "tasks" in refused.output and "--trust" in refused.output
    assert "[trust] sources" in refused.output
    assert not dest.exists() and not list(tmp_path.rglob("task-ran.txt"))

    assert invoke("new", str(dest), "--template", str(repo), "--defaults", "--trust").exit_code == 0
    assert (dest / "task-ran.txt").exists()


def test_a_trusted_source_in_the_team_config_may_run_tasks(tmp_path):
    repo = tiny_template(tmp_path / "template", {"hello.txt": "hi\n"}, config=TASK)
    config = team_config(tmp_path / "team.toml", f'[trust]\nsources = ["{tmp_path}/"]\n')
    dest = tmp_path / "app"
    made = invoke("new", str(dest), "--template", str(repo), "--defaults", "--config", str(config))
    assert made.exit_code == 0, made.output
    assert (dest / "task-ran.txt").exists()


def test_an_update_to_a_version_with_migrations_is_refused_without_trust(tmp_path):
    repo = tiny_template(tmp_path / "template", {"hello.txt": "hi\n"})
    project = tmp_path / "app"
    scaffolder.new(project, template=repo, approach="rag", defaults=True)
    release(
        repo,
        "v2.0.0",
        {"hello.txt": "hello\n"},
        config={"_migrations": [{"version": "v2.0.0", "command": "touch migrated.txt"}]},
    )
    before = snapshot(project)

    with pytest.raises(UntrustedTemplate, match="migrations"):
        scaffolder.update(project)
    assert snapshot(project) == before and not list(tmp_path.rglob("migrated.txt"))


def test_a_plain_folder_source_is_unversioned_and_updates_as_a_reviewable_rerender(tmp_path):
    folder = tmp_path / "folder-template"
    write_files(
        folder,
        {
            "copier.yml": "project_name: {type: str, default: x}\n"
            "_answers_file: .copier-answers.yml\n",
            "{{_copier_conf.answers_file}}.jinja": ANSWERS_TEMPLATE,
            "notes.txt": "one\n",
        },
    )
    project = tmp_path / "app"
    scaffolder.new(project, template=folder, approach="rag", defaults=True)
    assert "_commit" not in answers_of(project)
    (project / "notes.txt").write_text("one\nmine\n")
    commit_all(project)
    (folder / "notes.txt").write_text("one changed\n")

    result = scaffolder.update(project)

    assert result.base_problem and [c.path for c in result.conflicts] == ["notes.txt"]
    text = (project / "notes.txt").read_text()
    assert "mine" in text and "one changed" in text and "<<<<<<< yours" in text


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("gh:acme/llm-starters", "https://github.com/acme/llm-starters.git"),
        ("gl:acme/llm-starters.git", "https://gitlab.com/acme/llm-starters.git"),
        ("https://git.example.com/acme/starters.git", "https://git.example.com/acme/starters.git"),
        ("git@github.com:acme/starters.git", "git@github.com:acme/starters.git"),
    ],
)
def test_remote_sources_are_recorded_as_given_and_read_as_git_urls(given, url):
    source = sources.parse(given)
    assert source.id == given and source.kind == "git" and source.url == url


def test_a_moved_local_source_is_reported_not_guessed(tmp_path):
    repo = tiny_template(tmp_path / "template", {"hello.txt": "hi\n"}, tag=None)
    project = tmp_path / "app"
    scaffolder.new(project, template=repo, approach="rag", defaults=True)
    shutil.rmtree(repo)
    result = invoke("update", str(project))
    assert result.exit_code == 2 and "does not exist on this machine" in result.output


def test_with_trust_update_runs_the_migrations_it_crosses_after_the_merge(tmp_path):
    repo = tiny_template(tmp_path / "template", {"hello.txt": "hi\n"})
    project = tmp_path / "app"
    scaffolder.new(project, template=repo, approach="rag", defaults=True)
    steps = [
        {"version": "v1.0.0", "command": "touch not-crossed.txt"},
        {"version": "v2.0.0", "command": "cp hello.txt after-merge-{{ _version_to }}.txt"},
        {
            "version": "v2.0.0",
            "command": ["touch", "before-{{ project_name }}.txt"],
            "when": "{{ _stage == 'before' }}",
        },
    ]
    release(repo, "v2.0.0", {"hello.txt": "hello\n"}, config={"_migrations": steps})

    pretend = invoke("update", str(project), "--trust", "--pretend")
    assert "would run migration: touch before-{{ project_name }}.txt" in pretend.output
    assert not (project / "before-app.txt").exists()

    result = invoke("update", str(project), "--trust")

    assert result.exit_code == 0, result.output
    assert (project / "after-merge-v2.0.0.txt").read_text() == "hello\n"
    assert (project / "before-app.txt").exists()
    assert not (project / "not-crossed.txt").exists()


@pytest.mark.parametrize(
    "text",
    [
        "--upload-pack=touch pwned",
        "ext::sh -c touch% pwned",
        "ssh://-oProxyCommand=touch%20pwned/x",
        "https://git.example.com/acme/../../etc",
        "http://git.example.com/acme/starters.git",
        "bundled:other",
        "relative/folder",
        "gh:-x/repo",
        "git@-host:acme/x",
        "/path/with\nnewline",
    ],
)
def test_a_source_of_no_allowed_form_cannot_be_made(text):
    with pytest.raises(scaffolder.errors.InvalidInput, match="a source is a local path"):
        sources.Source(text)


@pytest.mark.parametrize(
    ("prefix", "source", "covered"),
    [
        ("gh:acme/", "gh:acme/starters", True),
        ("gh:acme/", "https://github.com/acme/starters.git", True),
        ("gh:acme/", "git@github.com:acme/starters.git", True),
        ("gh:acme", "gh:acme-evil/starters", False),
        ("https://github.com/acme/starters", "gh:acme/starters-evil", False),
        ("/srv/good", "/srv/good/starters", True),
        ("/srv/good", "/srv/good-evil", False),
        ("/srv/good/", "/srv/good/../evil", False),
        ("file:///srv/good", "/srv/good/starters", True),
    ],
)
def test_trust_compares_resolved_locations_whole_components_at_a_time(prefix, source, covered):
    assert sources.covers(sources.location(prefix), sources.location(source)) is covered


def test_trust_follows_symlinks_to_where_a_source_really_is(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "evil").mkdir()
    (tmp_path / "good" / "link").symlink_to(tmp_path / "evil")
    trusted = sources.location(f"{tmp_path}/good/")
    assert not sources.covers(trusted, sources.location(f"{tmp_path}/good/link"))
    assert sources.covers(trusted, sources.location(f"{tmp_path}/good/real"))


@given(st.text(max_size=60))
def test_any_text_either_is_refused_or_is_a_source_git_cannot_read_as_an_option(text):
    try:
        source = sources.Source(text)
    except scaffolder.errors.InvalidInput:
        return
    assert not source.url.startswith("-") and text.isprintable()
    assert source.url.startswith(("/", "https://", "ssh://", "file://", "bundled:")) or "@" in text


NAMES = st.text(alphabet="abcxyz019_.-", min_size=1, max_size=12).filter(
    lambda name: name not in (".", "..")
)


@given(st.lists(NAMES, min_size=1, max_size=4), NAMES)
def test_a_trusted_folder_covers_what_is_inside_it_and_never_a_sibling_sharing_its_prefix(
    parts, name
):
    trusted = "/srv/" + "/".join(parts)
    assert sources.covers(sources.location(trusted), sources.location(f"{trusted}/{name}"))
    assert not sources.covers(sources.location(trusted), sources.location(f"{trusted}-{name}"))
    assert not sources.covers(
        sources.location(trusted + "/"), sources.location(f"{trusted}/../{parts[-1]}-{name}")
    )
