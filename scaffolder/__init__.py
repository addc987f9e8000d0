"""scaffolder: choose RAG, fine-tuning or hybrid for an LLM app, then generate its starter.

The public API is deliberately small; the CLI in :mod:`scaffolder.cli` is a thin layer over it.
"""

__version__ = "0.1.0"

from scaffolder.decision import Recommendation, decide
from scaffolder.errors import ScaffolderError
from scaffolder.rendering import NewProject, new
from scaffolder.updating import CheckResult, UpdateResult, check, update

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
