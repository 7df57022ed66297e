"""The workshops part's manifest: what it brings to the platform (see tracktwo.parts)."""

from tracktwo.kernel.i18n import N_
from tracktwo.kernel.manifest import Part

PART = Part(
    name="workshops",
    title=N_("Workshops"),
    package=__package__,
    engine="ism",
    pages=(
        "pages.console:router",
        "pages.live:router",
        "pages.participate:router",
        "pages.translations:router",
    ),
    api=("api:router",),
    models=("models",),
    brief="brief",
    dashboard="pages.console:workshops_panel",
)
