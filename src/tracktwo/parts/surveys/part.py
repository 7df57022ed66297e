"""The surveys part's manifest: what it brings to the platform (see tracktwo.parts)."""

from tracktwo.kernel.i18n import N_
from tracktwo.kernel.manifest import Part

PART = Part(
    name="surveys",
    title=N_("Evaluation surveys"),
    package=__package__,
    engine="evaluation",
    pages=("pages.manage:router", "pages.participate:router", "pages.results:router"),
    api=("api:router",),
    models=("models",),
    brief="brief",
    dashboard="pages.manage:surveys_panel",
    cli="cli:COMMANDS",
    uses=("dialogues",),
)
