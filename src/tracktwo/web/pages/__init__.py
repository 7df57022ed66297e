"""Server-rendered pages. Every router here checks the CSRF token of every form it accepts."""

from fastapi import APIRouter, Depends

from tracktwo.web.security import verify_csrf

__all__ = ["page_router"]


def page_router() -> APIRouter:
    return APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
