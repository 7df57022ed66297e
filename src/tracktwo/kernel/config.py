"""Settings, read from ``TRACKTWO_*`` environment variables (documented in the README)."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracktwo.kernel.parsing import IPNetwork, parse_networks

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything that can be configured. Every field is a ``TRACKTWO_<NAME>`` variable."""

    model_config = SettingsConfigDict(env_prefix="TRACKTWO_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the SQLite database and the generated secret key.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL. Default: a SQLite file in the data folder. For PostgreSQL: "
            "postgresql+psycopg://user:password@host:5432/dbname"
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Key that signs cookies. Default: generated once and kept in "
            "<data_dir>/secret_key, so sign-ins survive a restart."
        ),
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address participants use; invitation links are built from it.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure (set to true whenever the site is served over HTTPS).",
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks of the reverse proxies in front of the "
            "server (e.g. 127.0.0.1,10.0.0.0/8). Only connections from these may name the "
            "client in X-Forwarded-For; by default nobody may."
        ),
    )
    session_days: int = Field(default=14, ge=1, le=365, description="How long a sign-in lasts.")
    min_cell_size: int = Field(
        default=5,
        description=(
            "Smallest number of people a published breakdown may describe; smaller cells are "
            "suppressed everywhere observers look. Never below 3."
        ),
    )
    in_process_worker: bool | None = Field(
        default=None,
        description=(
            "Run background analysis jobs in a thread inside the web server. Default: yes on "
            "SQLite, no on PostgreSQL (run `tracktwo worker` processes instead)."
        ),
    )
    analysis_delay_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How long the analysis waits after a vote for more votes before recomputing.",
    )

    @field_validator("min_cell_size")
    @classmethod
    def _at_least_three(cls, value: int) -> int:
        if value < 3:
            raise ValueError("it must be at least 3, to protect participants")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        parse_networks(value.split(","))
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        return parse_networks(self.trusted_proxies.split(","))

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tracktwo.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def run_worker_in_process(self) -> bool:
        return self.is_sqlite if self.in_process_worker is None else self.in_process_worker

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one generated on first use and stored with mode 0600."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key
