"""The web shell: the app factory, security, templating, live updates and base templates.

Routes are thin: they read the request, call the actions of the core or a part, and render.
The app is built by :func:`tracktwo.web.app.create_app`.
"""
