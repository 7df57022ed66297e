"""The web shell: server-rendered pages, the JSON API under /api/v1, and live updates.

Routes are thin: they read the request, call :mod:`tracktwo.actions`, commit, and render.
"""

from tracktwo.web.app import create_app

__all__ = ["create_app"]
