"""tracktwo: one platform for the Track Two cycle.

Dialogues, structured-dialogue workshops, evaluation surveys and an unattributed brief for
Track One, on one data model in which the declared sides of a conflict are a first-class idea.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
