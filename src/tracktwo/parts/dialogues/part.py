"""The dialogues part's manifest: what it brings to the platform (see tracktwo.parts)."""

from tracktwo.kernel.i18n import N_
from tracktwo.kernel.manifest import Part

PART = Part(
    name="dialogues",
    title=N_("Dialogues"),
    package=__package__,
    engine="opinion",
    pages=("pages.manage:router", "pages.participate:router", "pages.results:router"),
    api=("api:router",),
    models=("models",),
    brief="brief",
    dashboard="pages.manage:dialogues_panel",
    jobs="jobs:JOBS",
    cli="cli:COMMANDS",
)
