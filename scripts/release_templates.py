#!/usr/bin/env python3
"""Release step: record the bundled templates of this version in the package's template history.

Run once per release, after bumping `__version__` in scaffolder/__init__.py and before
building the wheel:

    python scripts/release_templates.py          # appends templates/ as tag v<version>
    python scripts/release_templates.py --check  # exit 1 if a released version's templates
                                                 # are missing from the history or changed

The history (scaffolder/template_history.bundle) is what lets `scaffolder update` render the
version an old project was made with, offline, on any machine. Commit the updated bundle.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scaffolder import __version__, history  # noqa: E402
from scaffolder.catalog import bundled_templates  # noqa: E402
from scaffolder.sources import parse_version  # noqa: E402


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
    if parse_version(__version__).is_devrelease:
        print(
            f"{__version__} is a development version: set the release version in "
            "scaffolder/__init__.py first",
            file=sys.stderr,
        )
        return 1
    history.record_release(bundled_templates(), __version__, bundle)
    print(f"{bundle.relative_to(REPO)}: {', '.join(history.released_tags(bundle))}")
    return 0


def check(bundle: Path, tag: str) -> int:
    problem = history.release_problem(bundled_templates(), __version__, bundle)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    recorded = (
        "recorded and matches templates/"
        if tag in history.released_tags(bundle)
        else ("a development version: templates/ may change until it is released")
    )
    print(f"{tag}: {recorded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
