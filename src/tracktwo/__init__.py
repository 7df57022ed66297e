"""tracktwo: one platform for the Track Two cycle.

Dialogues, structured-dialogue workshops, evaluation surveys and an unattributed brief for
Track One, on one data model in which the declared sides of a conflict are a first-class idea.
Each Track Two process is a part (tracktwo.parts); each part's pure engine has one import
path, e.g. ``from tracktwo.parts.dialogues.opinion import analyze``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
