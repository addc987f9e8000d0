"""`scaffolder update` and `scaffolder check`: bring a project to a newer template version.

An update renders the project's recorded answers with the template version that made it
(the common ancestor), renders the new answers with the target version, and merges the
difference into the user's tree file by file (see `merging`). Both renderings get exactly
the recorded questions as data, so nothing outside the answers can make them differ. A pivot
is the same operation with a changed answer, such as `--set approach=hybrid`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scaffolder import (
    catalog,
    engine,
    git,
    merging,
    migrations,
    pivoting,
    questionnaire,
    sources,
    teamconfig,
)
from scaffolder.decision import decide
from scaffolder.errors import (
    DirtyProject,
    InvalidAnswer,
    InvalidInput,
    MissingAnswers,
    NotAGitProject,
)
from scaffolder.project import ANSWERS_FILE, locate, read_answers, recorded_source


@dataclass(frozen=True)
class UpdateResult:
    project: Path
    source: sources.Source
    from_ref: str | None
    to_ref: str | None
    changes: list[merging.Change]
    answers_changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    base_problem: str | None = None  # why there was no old version to merge against
    pretend: bool = False
    conflict: str = "inline"
    migrations: list[str] = field(default_factory=list)  # run, or due with pretend

    @property
    def conflicts(self) -> list[merging.Change]:
        return [c for c in self.changes if c.action == "conflict"]

    @property
    def ancestor(self) -> bool:
        """Whether the old version was found, so the merge could tell the user's edits apart."""
        return self.base_problem is None

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape of `scaffolder update --json`."""
        return {
            "from": self.from_ref,
            "to": self.to_ref,
            "ancestor": self.ancestor,
            "changes": [{"path": c.path, "action": c.action} for c in self.changes],
            "conflicts": [c.path for c in self.conflicts],
            "answers_changed": {k: list(pair) for k, pair in self.answers_changed.items()},
            "pretend": self.pretend,
        }


@dataclass(frozen=True)
class CheckResult:
    project: Path
    source: sources.Source
    current: str | None
    latest: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current is not None and _same_version(self.current, self.latest)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape of `scaffolder check --json`."""
        return {
            "current": self.current,
            "latest": self.latest,
            "up_to_date": self.up_to_date,
            "source": self.source.id,
            "summary": self.summary(),
        }

    def summary(self) -> str:
        where = self.source.describe()
        if self.up_to_date:
            return f"up to date: template {self.current} (source: {where})"
        if self.current is None:
            return (
                f"the project records no template version; the source offers {self.latest} "
                f"(source: {where}): run `scaffolder update` and review the result"
            )
        newer, older = (self.latest, self.current)
        if _is_newer(self.current, self.latest):
            return (
                f"the project's template {self.current} is newer than {self.latest}, the "
                f"newest that {where} offers here: upgrade scaffolder or the template source"
            )
        return (
            f"behind: template {newer} is newer than the project's {older} "
            f"(source: {where}); run `scaffolder update` to bring it up to date"
        )


def update(
    path: Path | str = ".",
    *,
    answers: Mapping[str, object] | None = None,
    defaults: bool = False,
    pretend: bool = False,
    conflict: str = "inline",
    vcs_ref: str | None = None,
    trust: bool = False,
    config: Path | str | None = None,
    ask: bool = False,
) -> UpdateResult:
    """Merge a newer template version (and any changed answers) into the project at `path`.

    `ask=True` lets copier prompt on the terminal for questions the project never answered;
    otherwise they take their defaults with `defaults=True` and are refused (exit 2) without.
    """
    if conflict not in merging.CONFLICT_MODES:
        raise InvalidAnswer("--conflict", conflict, merging.CONFLICT_MODES)
    project = locate(path)
    recorded = read_answers(project)
    team = teamconfig.load(config)
    overrides = dict(answers or {})
    team.check_not_overriding_locks(overrides)
    source = recorded_source(recorded, project)  # checked before anything runs
    _ensure_clean_git(project)
    from_ref = recorded.get("_commit")
    may_run = trust or team.trusts(source)

    with ExitStack() as stack:
        new = stack.enter_context(sources.checkout(source, vcs_ref or _team_pin(team, source)))
        if from_ref and new.ref and _is_newer(from_ref, new.ref):
            raise InvalidInput(
                f"the project was made with template {from_ref}, newer than {new.ref}: "
                "downgrades are not supported; upgrade scaffolder or pick a newer --vcs-ref"
            )
        old, base_problem = _old_checkout(stack, source, from_ref)
        hint = team.describe()
        run_tasks = any(
            [sources.ensure_allowed(t, trust=may_run, config_hint=hint) for t in (old, new) if t]
        )
        data = _new_answers(recorded, overrides, team, new)
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scaffolder-up-")))
        old_render = old and engine.render(
            old,
            scratch / "old" / project.name,
            engine.only_questions(recorded, old.root),
            ask=False,
            unsafe=run_tasks,
            skip_tasks=pretend,
        )
        new_render = engine.render(
            new,
            scratch / "new" / project.name,
            data,
            ask=ask and not defaults,
            unsafe=run_tasks,
            skip_tasks=pretend,
        )
        rendered_answers = read_answers(new_render)
        if not (ask or defaults):
            _refuse_unanswered(rendered_answers, data, new.root)
        pivot = _pivot(project, recorded, rendered_answers, old_render, new_render, new)
        changes = merging.plan(
            old_render,
            new_render,
            project,
            conflict=conflict,
            skip=frozenset({ANSWERS_FILE}),
            labels=merging.Labels(
                "yours", f"template {from_ref or '(unknown)'}", f"template {new.ref or 'folder'}"
            ),
            moves=pivot.moves,
        )
        changes = pivoting.follow_imports(changes, project, git.tracked_files(project), pivot)
        changes += _answers_file_change(project, new_render)
        due = migrations.pending(new, from_ref, new.ref) if run_tasks else []
        result = UpdateResult(
            project=project,
            source=source,
            from_ref=from_ref,
            to_ref=new.ref,
            changes=changes,
            answers_changed=_changed_answers(recorded, rendered_answers),
            base_problem=base_problem,
            pretend=pretend,
            conflict=conflict,
            migrations=[
                m.command if isinstance(m.command, str) else " ".join(m.command) for m in due
            ],
        )
        if not pretend:
            steps = (from_ref, new.ref)
            ran = migrations.run(due, "before", project, rendered_answers, *steps)
            merging.apply(changes, project)
            if conflict == "inline":
                _mark_unmerged(project, result.conflicts, old_render, new_render)
            ran += migrations.run(due, "after", project, rendered_answers, *steps)
            result = replace(result, migrations=ran)
    return result


def check(path: Path | str = ".", *, config: Path | str | None = None) -> CheckResult:
    """Compare the project's template version with the newest its source offers."""
    project = locate(path)
    recorded = read_answers(project)
    source = recorded_source(recorded, project)
    latest = _team_pin(teamconfig.load(config), source) or sources.latest_ref(source)
    return CheckResult(project, source, recorded.get("_commit"), latest)


def _ensure_clean_git(project: Path) -> None:
    if not git.is_work_tree(project):
        raise NotAGitProject(
            f"{project} is not in a git repository; an update rewrites files, and only git lets "
            "you review and undo that. Fix: git init && git add -A && git commit -m 'Before "
            "update', then run scaffolder update again"
        )
    dirty = git.uncommitted(project)
    if dirty:
        shown = ", ".join(dirty[:8]) + (f" and {len(dirty) - 8} more" if len(dirty) > 8 else "")
        raise DirtyProject(
            f"{project} has uncommitted changes ({shown}); the update's changes would mix with "
            "them. Fix: commit them (git add -A && git commit) or stash them "
            "(git stash --include-untracked), then run scaffolder update again"
        )


def _team_pin(team: teamconfig.TeamConfig, source: sources.Source) -> str | None:
    """The team config's version applies to the source it names."""
    return team.version if team.source == source else None


def _old_checkout(stack: ExitStack, source: sources.Source, ref: str | None):
    if ref is None:
        return None, "the project records no template version (`_commit`)"
    try:
        return stack.enter_context(sources.checkout(source, ref)), None
    except sources.VersionNotFound as error:
        return None, str(error)


def _new_answers(
    recorded: Mapping[str, Any],
    overrides: Mapping[str, object],
    team: teamconfig.TeamConfig,
    new: sources.Checkout,
) -> dict[str, Any]:
    """Recorded answers, then team defaults for questions never answered, locked answers,
    and the user's changes; only questions of the new template, so nothing extra reaches copier."""
    survey = questionnaire.load()
    decision, template = engine.split_answers(overrides, survey, new.root)
    choices = getattr(catalog.template_questions(new.root).get("approach"), "choices", None)
    if "approach" in template and choices and template["approach"] not in choices:
        raise InvalidAnswer("approach", template["approach"], choices)
    fresh_defaults = {k: v for k, v in team.answers.items() if k not in recorded}
    merged = {
        **recorded,
        **fresh_defaults,
        **team.locked,
        **template,
        **decision,
        "template_version": new.version,
    }
    if "approach" in template or decision:
        # A pivot or new decision answers can raise or settle an override: it is judged again
        # against the recommendation for the answers as they now stand.
        answered = {key: value for key, value in merged.items() if key in survey.ids}
        merged["approach_override"] = merged.get("approach") != decide(answered).approach
    return engine.only_questions(merged, new.root)


def _pivot(
    project: Path,
    recorded: Mapping[str, Any],
    rendered: Mapping[str, Any],
    old_render: Path | None,
    new_render: Path,
    new: sources.Checkout,
) -> pivoting.Pivot:
    """What a change of starter relocates (see `pivoting`); nothing without the old rendering."""
    before, after = recorded.get("approach"), rendered.get("approach")
    package = rendered.get("package_name")
    if not old_render or before == after or package != recorded.get("package_name"):
        return pivoting.NO_PIVOT
    return pivoting.plan(
        pivoting.layout(new.root),
        str(before),
        str(after),
        str(package),
        merging.files(old_render),
        merging.files(new_render),
        taken=lambda path: (project / path).exists(),
    )


def _refuse_unanswered(rendered: Mapping[str, Any], given: Mapping[str, Any], root: Path) -> None:
    """Questions the project never answered are asked; with nobody to ask and no --defaults,
    they end the run (exit 2) rather than silently take defaults."""
    missing = [question for question in engine.unasked(root, given) if question in rendered]
    if missing:
        raise MissingAnswers(missing)


def _mark_unmerged(
    project: Path, conflicts: list[merging.Change], old: Path | None, new: Path
) -> None:
    """Record inline conflicts in git's index as unmerged (stages 1-3), as `git merge` does:
    `git status` then lists them as "both modified" and `git commit` refuses until each is
    resolved and added, so conflict markers cannot be committed by accident."""

    top, prefix = git.toplevel_and_prefix(project)
    entries = []
    for change in conflicts:
        if change.content is None:
            continue
        staged = git.staged_entry(project, change.path)
        if not staged:
            continue
        mode, ours = staged
        name = prefix + change.path
        entries.append(f"0 {'0' * 40}\t{name}")
        if old is not None and (old / change.path).is_file():
            entries.append(f"{mode} {git.hash_object(project, old / change.path)} 1\t{name}")
        entries.append(f"{mode} {ours} 2\t{name}")
        entries.append(f"{mode} {git.hash_object(project, new / change.path)} 3\t{name}")
    if entries:
        git.update_index(top, entries)


def _answers_file_change(project: Path, rendered: Path) -> list[merging.Change]:
    new_text = (rendered / ANSWERS_FILE).read_bytes()
    if (project / ANSWERS_FILE).read_bytes() == new_text:
        return []
    return [
        merging.Change(
            ANSWERS_FILE, "updated", "recorded answers and template version", content=new_text
        )
    ]


def _changed_answers(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple]:
    keys = [k for k in {**before, **after} if not k.startswith("_")]
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def _is_newer(a: str | None, b: str | None) -> bool:
    va, vb = sources.parse_version(a), sources.parse_version(b)
    return va is not None and vb is not None and va > vb


def _same_version(a: str | None, b: str | None) -> bool:
    va, vb = sources.parse_version(a), sources.parse_version(b)
    return a == b if va is None or vb is None else va == vb
