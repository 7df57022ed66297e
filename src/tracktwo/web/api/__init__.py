"""The JSON API's shared pieces (request and response bodies, :mod:`.schemas`).

The API itself is built by :func:`tracktwo.web.app.create_api` from every part's routers.
"""
