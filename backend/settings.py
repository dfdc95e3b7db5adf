"""All configuration in one pydantic-settings class (environment prefix ``PARKSAFE_``)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

JobBackend = Literal["inprocess", "redis"]


class Settings(BaseSettings):
    """Bare-machine defaults: SQLite and a photo folder under ``data_dir``, in-process jobs.

    Real environment variables win over ``.env`` (pydantic-settings' order).
    """

    model_config = SettingsConfigDict(
        env_prefix="PARKSAFE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("./var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default a SQLite file under data_dir"
    )
    storage_url: str | None = Field(
        default=None, description="file:///path or s3://bucket/prefix; default data_dir/photos"
    )
    s3_endpoint_url: str | None = None
    # A store that hangs must fail fast: a phone retries a 503, but a request stuck for
    # botocore's defaults (60 s per try, 5 tries) holds a server thread for minutes.
    s3_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    s3_read_timeout_seconds: float = Field(default=10.0, gt=0)
    s3_max_attempts: int = Field(default=3, gt=0, description="tries per S3 request, the first included")
    notify_urls: str = Field(default="", description="apprise URLs, separated by spaces or commas")
    # Where links in notifications lead; default the address `parksafe serve` listens on (host, port).
    public_base_url: str = ""
    park_code: str = Field(default="DEMO", description="code of the park this deployment serves")
    park_name: str = "滨江示范化工园区"

    secret_key: SecretStr | None = Field(
        default=None, description="JWT signing key; default a random key kept in data_dir"
    )
    token_ttl_seconds: int = Field(default=12 * 3600, gt=0)
    login_max_failures: int = Field(default=5, gt=0)
    login_failure_window_seconds: int = Field(default=15 * 60, gt=0)

    job_backend: JobBackend = "inprocess"
    redis_url: str = "redis://127.0.0.1:6379/0"
    job_queue_name: str = "parksafe"
    job_heartbeat_seconds: int = Field(
        default=30,
        ge=3,
        description="a Redis job whose worker has not reported for this long (killed, host lost) is retried",
    )
    run_worker: bool = Field(default=True, description="run the job worker inside the API process")

    photo_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0, description="largest photo upload")
    photo_max_pixels: int = Field(default=40_000_000, gt=0, description="largest width × height accepted")
    thumbnail_px: int = Field(default=320, gt=16)
    sync_max_mutations: int = Field(default=500, gt=0, description="most mutations in one pushed batch")
    outbox_poll_seconds: float = Field(default=5.0, gt=0)

    escalation_rules_path: Path = Field(
        default=Path(__file__).resolve().parent.parent / "rules" / "escalation.yaml",
        description="督办/提醒 rules file (YAML, see docs/rules.md)",
    )
    escalation_interval_seconds: float = Field(
        default=300.0, gt=0, description="how often the server runs the rules"
    )

    host: str = "127.0.0.1"
    port: int = 8000

    max_json_body_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    log_level: str = "INFO"
    log_json: bool = False

    _base_url_derived: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _link_to_the_served_address(self) -> Settings:
        """Every command links to the server PARKSAFE_HOST/PORT name (parksafe escalate linked to
        port 8000 while the server was on PARKSAFE_PORT); behind a proxy PUBLIC_BASE_URL is set."""
        if not self.public_base_url:
            self.public_base_url = served_address(self.host, self.port)
            self._base_url_derived = True
        return self

    @property
    def public_base_url_derived(self) -> bool:
        """Whether public_base_url was worked out from host and port rather than set."""
        return self._base_url_derived

    @cached_property
    def resolved_data_dir(self) -> Path:
        path = self.data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @cached_property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir / 'parksafe.db'}"

    @cached_property
    def resolved_storage_url(self) -> str:
        return self.storage_url or (self.resolved_data_dir / "photos").as_uri()

    @cached_property
    def notify_url_list(self) -> list[str]:
        return [url for url in self.notify_urls.replace(",", " ").split() if url]

    @cached_property
    def signing_key(self) -> str:
        """The configured key, else one generated once and kept in the data dir.

        Several API replicas must share ``PARKSAFE_SECRET_KEY``; the file is for one machine.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        key_file = self.resolved_data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            key_file.chmod(0o600)
        return key_file.read_text(encoding="utf-8").strip()

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def served_address(host: str, port: int) -> str:
    """The URL a browser on this machine reaches a server listening on ``host``:``port`` by."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"  # IPv6 in brackets
