"""Settings: bare-machine defaults, environment switches, .env support."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "PARKSAFE_DATABASE_URL",
        "PARKSAFE_DATA_DIR",
        "PARKSAFE_STORAGE_URL",
        "PARKSAFE_JOB_BACKEND",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_keep_everything_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.resolved_data_dir == tmp_path / "var"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'var' / 'parksafe.db'}"
    assert settings.resolved_storage_url == (tmp_path / "var" / "photos").as_uri()
    assert settings.job_backend == "inprocess"


def test_database_url_switches_to_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKSAFE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/parksafe")
    settings = Settings()
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    assert not settings.is_sqlite


def test_dotenv_is_read_but_real_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("PARKSAFE_PORT=9001\nPARKSAFE_JOB_BACKEND=redis\n", encoding="utf-8")
    monkeypatch.setenv("PARKSAFE_PORT", "9002")
    settings = Settings()
    assert settings.job_backend == "redis"
    assert settings.port == 9002


def test_generated_signing_key_is_kept_between_starts(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path / "d").signing_key
    second = Settings(data_dir=tmp_path / "d").signing_key
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "d" / "secret_key").stat().st_mode & 0o077 == 0


def test_notify_urls_accept_spaces_and_commas() -> None:
    settings = Settings(notify_urls="json://127.0.0.1:9/a, wecombot://key  dingtalk://token")
    assert settings.notify_url_list == ["json://127.0.0.1:9/a", "wecombot://key", "dingtalk://token"]


def test_invalid_job_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKSAFE_JOB_BACKEND", "celery")
    with pytest.raises(ValueError, match="job_backend"):
        Settings()


def test_links_lead_to_the_port_the_server_is_told_to_serve_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """parksafe escalate (run beside a server on PARKSAFE_PORT) sent 督办 links to port 8000."""
    monkeypatch.delenv("PARKSAFE_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PARKSAFE_PORT", "8161")
    assert Settings().public_base_url == "http://127.0.0.1:8161"
    monkeypatch.setenv("PARKSAFE_HOST", "0.0.0.0")
    assert Settings().public_base_url == "http://127.0.0.1:8161"
    monkeypatch.setenv("PARKSAFE_PUBLIC_BASE_URL", "https://yuanan.example.cn")
    assert Settings().public_base_url == "https://yuanan.example.cn"


def test_an_ipv6_listen_address_links_in_brackets_and_a_set_url_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PARKSAFE_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PARKSAFE_HOST", "::1")
    monkeypatch.setenv("PARKSAFE_PORT", "8161")
    derived = Settings()
    assert derived.public_base_url == "http://[::1]:8161" and derived.public_base_url_derived
    monkeypatch.setenv(
        "PARKSAFE_PUBLIC_BASE_URL", "http://[::1]:8161"
    )  # set, though equal to the derived one
    assert not Settings().public_base_url_derived
