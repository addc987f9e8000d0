"""scaffolder: choose RAG, fine-tuning or hybrid for an LLM app, then generate its starter.

The public API is deliberately small; the CLI in :mod:`scaffolder.cli` is a thin layer over it.
"""

__version__ = "0.2.0.dev0"

from scaffolder.decision import Recommendation, decide
from scaffolder.errors import ScaffolderError

#: Loaded on first use, so `scaffolder --help` and `decide` skip the rendering and update code.
_LAZY = {
    "NewProject": "rendering",
    "new": "rendering",
    "CheckResult": "updating",
    "UpdateResult": "updating",
    "check": "updating",
    "update": "updating",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"scaffolder.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'scaffolder' has no attribute {name!r}")


__all__ = [
    "CheckResult",
    "NewProject",
    "Recommendation",
    "ScaffolderError",
    "UpdateResult",
    "__version__",
    "check",
    "decide",
    "new",
    "update",
]
