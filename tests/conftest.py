"""Fixtures shared by the whole suite: databases on both engines, the platform, web clients."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.harness.components import component_missing
from tests.harness.postgres import PostgresServer, find_postgres_bin
from tracktwo.kernel.config import Settings
from tracktwo.store.db import Database
from tracktwo.store.migrate import upgrade
from tracktwo.store.platform import Platform
from tracktwo.web.app import create_app

PASSWORD = "correct horse battery"


# --- databases ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        component_missing("PostgreSQL server not installed (apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        component_missing("psycopg is not installed (pip install 'tracktwo[pg]')")
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except (subprocess.CalledProcessError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        component_missing(f"could not start PostgreSQL: {detail.strip().splitlines()[-1:]}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A migrated database that each test copies (CREATE DATABASE ... TEMPLATE)."""
    url = postgres_server.create_database()
    database = Database(url)
    upgrade(database)
    database.dispose()
    return url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies: much faster than migrating each time."""
    path = tmp_path_factory.mktemp("template") / "tracktwo.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    return path


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _fresh_database_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if engine == "sqlite":
        target = tmp_path / "tracktwo.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(template=request.getfixturevalue("postgres_template"))


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database; tests using it run once on SQLite and once on PostgreSQL."""
    return _fresh_database_url(request.param, request, tmp_path)


def _platform(url: str, tmp_path: Path, **settings: object) -> Platform:
    config = Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        secret_key="test-secret-key-not-for-production",
        in_process_worker=False,
        analysis_delay_seconds=0,
        **settings,  # type: ignore[arg-type]
    )
    return Platform(config)


@pytest.fixture
def platform(database_url: str, tmp_path: Path) -> Iterator[Platform]:
    """The platform on each engine in turn."""
    platform = _platform(database_url, tmp_path)
    yield platform
    platform.close()


@pytest.fixture
def sqlite_platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    """The platform on SQLite only: for page tests, where the engine makes no difference."""
    platform = _platform(_fresh_database_url("sqlite", request, tmp_path), tmp_path)
    yield platform
    platform.close()


# --- web ------------------------------------------------------------------------------------


class WebClient(TestClient):
    """A browser-like client: keeps cookies and fills in the CSRF token of our forms."""

    @property
    def csrf(self) -> str:
        """The token our pages would put in their forms right now (as the browser holds
        the cookies): an HMAC of the nonce cookie and the session cookies."""
        from tracktwo.web.csrf import csrf_cookie_name, csrf_key, session_binding, token_for
        from tracktwo.web.security import SESSION_COOKIE_PREFIXES

        settings = self.app.state.platform.settings  # type: ignore[attr-defined]
        name = csrf_cookie_name(settings.secure_cookies)
        if self.cookies.get(name) is None:
            self.get("/login")
        nonce = self.cookies.get(name)
        assert nonce
        jar = {cookie.name: cookie.value or "" for cookie in self.cookies.jar}
        binding = session_binding(jar, SESSION_COOKIE_PREFIXES)
        return token_for(csrf_key(settings.resolved_secret_key), nonce, binding)

    def submit(self, url: str, data: dict[str, object] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        """POST a form as our pages do, with the CSRF token."""
        form = {"csrf_token": self.csrf, **(data or {})}
        return self.post(url, data=form, **kwargs)  # type: ignore[arg-type]

    def login(self, email: str, password: str = PASSWORD) -> None:
        response = self.submit(
            "/login", {"email": email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 303, response.text


def make_client(platform: Platform, *, address: str = "testclient") -> WebClient:
    """A browser for the app; ``address`` is where its connection comes from."""
    return WebClient(create_app(platform), raise_server_exceptions=True, client=(address, 50000))


@pytest.fixture
def web(sqlite_platform: Platform) -> Iterator[WebClient]:
    with make_client(sqlite_platform) as client:
        yield client


def create_account(platform: Platform, email: str, name: str = "") -> int:
    from tracktwo.common.accounts.actions import create_user

    with platform.database.transaction() as db:
        return create_user(db, email=email, password=PASSWORD, display_name=name).id


def api_token(platform: Platform, email: str) -> str:
    from sqlalchemy import select

    from tracktwo.common.accounts.actions import create_api_token
    from tracktwo.common.accounts.models import User

    with platform.database.transaction() as db:
        user = db.scalar(select(User).where(User.email == email))
        assert user is not None
        return create_api_token(db, user, "tests").secret
