"""The brief's sections: one module per part of the platform.

Every module in this package is imported by :func:`load_sections`, and registers its
sections with :func:`tracktwo.brief.registry.brief_section`. A new part adds a module here
and touches nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["load_sections"]


def load_sections() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
