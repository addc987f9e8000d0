"""Property: whatever the user and the template change, no user line vanishes unmarked.

Each example builds a real template repository (v1.0.0 = a base file), a real project made
from it with the user's edits committed, a v2.0.0 with the template's edits, and runs the
real update in both conflict modes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_update_support import commit_all, new_project, release, tiny_template

import scaffolder

BASE = [f"base {i}" for i in range(8)]

# An edit is a list of (operation, position) applied to the base lines; every line it
# writes carries a unique token, so a line's survival can be checked by name.
edits = st.lists(
    st.tuples(st.sampled_from(["replace", "insert", "delete"]), st.integers(0, len(BASE) - 1)),
    max_size=4,
)


def apply_edit(lines: list[str], edit: list[tuple[str, int]], author: str) -> list[str]:
    result = list(lines)
    for number, (operation, position) in enumerate(edit):
        at = min(position, len(result) - 1) if result else 0
        token = f"{author} {number}"
        if operation == "replace" and result:
            result[at] = token
        elif operation == "insert":
            result.insert(at, token)
        elif operation == "delete" and len(result) > 1:
            del result[at]
    return result


def text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


@pytest.mark.parametrize("mode", ["inline", "rej"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user_edit=edits, template_edit=edits)
def test_no_user_line_disappears_without_a_conflict_marker(user_edit, template_edit, mode):
    user = apply_edit(BASE, user_edit, "user")
    template = apply_edit(BASE, template_edit, "template")
    with tempfile.TemporaryDirectory() as scratch:
        repo = tiny_template(Path(scratch, "template"), {"notes.txt": text(BASE)})
        project = new_project(Path(scratch, "project"), template=repo)
        (project / "notes.txt").write_text(text(user))
        commit_all(project)
        release(repo, "v2.0.0", {"notes.txt": text(template)})

        result = scaffolder.update(project, conflict=mode)

        merged = (project / "notes.txt").read_text().splitlines()
        conflicted = bool(result.conflicts)
    event(f"{mode}, {'conflict' if conflicted else 'clean'}")
    user_lines = [line for line in user if line.startswith("user")]
    template_lines = [line for line in template if line.startswith("template")]
    # Every line the user wrote is still in the file (inline: perhaps inside markers;
    # rej: always outside them, as the file carries no markers in that mode).
    assert all(line in merged for line in user_lines), (user, template, merged)
    has_markers = any(line.startswith("<<<<<<<") for line in merged)
    assert has_markers == (conflicted and mode == "inline")
    if not conflicted:
        # A clean merge also carries every line the template wrote.
        assert all(line in merged for line in template_lines), (user, template, merged)
