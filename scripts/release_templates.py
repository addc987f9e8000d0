#!/usr/bin/env python3
"""Release step: record the bundled templates of this version in the package's template history.

Run once per release, after bumping `__version__` in scaffolder/__init__.py and before
building the wheel:

    python scripts/release_templates.py          # appends templates/ as tag v<version>
    python scripts/release_templates.py --check  # exit 1 unless this version is recorded as-is

The history (scaffolder/template_history.bundle) is what lets `scaffolder update` render the
version an old project was made with, offline, on any machine. Commit the updated bundle.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scaffolder import __version__, history  # noqa: E402
from scaffolder.catalog import bundled_templates  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only verify that this version's templates are recorded unchanged",
    )
    args = parser.parse_args()
    bundle = history.HISTORY_BUNDLE
    tag = history.tag_for(__version__)
    if args.check:
        return check(bundle, tag)
    history.record_release(bundled_templates(), __version__, bundle)
    print(f"{bundle.relative_to(REPO)}: {', '.join(history.released_tags(bundle))}")
    return 0


def check(bundle: Path, tag: str) -> int:
    if tag not in history.released_tags(bundle):
        print(f"{tag} is not in {bundle.name}: run scripts/release_templates.py", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "history.bundle"
        copy.write_bytes(bundle.read_bytes())
        try:
            history.record_release(bundled_templates(), __version__, copy)
        except history.ReleaseConflict as error:
            print(error, file=sys.stderr)
            return 1
    print(f"{tag} is recorded and matches templates/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
