"""tracktwo: one platform for the Track Two cycle.

Dialogues, structured-dialogue workshops, evaluation surveys and an unattributed brief for
Track One, on one data model in which the declared sides of a conflict are a first-class idea.
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "analyze"]


def __getattr__(name: str) -> Any:
    # `from tracktwo import analyze` without loading numpy and pandas on every `import tracktwo`.
    if name == "analyze":
        from tracktwo.opinion import analyze

        return analyze
    raise AttributeError(f"module 'tracktwo' has no attribute {name!r}")
