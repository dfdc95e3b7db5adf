"""JSON log lines carry the request id of the request that wrote them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from backend.settings import Settings
from mobile_api.logging_setup import JsonFormatter, configure_logging
from mobile_api.request_id import RequestIdLogFilter, current_request_id


def test_json_log_line_names_level_message_and_request_id() -> None:
    record = logging.LogRecord("parksafe", logging.WARNING, __file__, 1, "照片上传失败 %s", ("abc",), None)
    token = current_request_id.set("req-123")
    try:
        RequestIdLogFilter().filter(record)
    finally:
        current_request_id.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING"
    assert entry["message"] == "照片上传失败 abc"
    assert entry["request_id"] == "req-123"


def test_log_json_setting_switches_the_root_handler_to_json() -> None:
    configure_logging(Settings(_env_file=None, log_json=True))
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_parksafe", False)]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, JsonFormatter)
    configure_logging(Settings(_env_file=None, log_json=False))


def test_the_running_app_keeps_the_configured_handler_and_level(tmp_path: Path) -> None:
    """Litestar would otherwise install its own root handler, dropping JSON lines and request ids."""
    from litestar.testing import TestClient

    from backend.db.migrate import upgrade
    from mobile_api.app import create_app

    settings = Settings(_env_file=None, data_dir=tmp_path, log_json=True, log_level="WARNING")
    upgrade(settings.resolved_database_url)  # /health answers 200 only on a migrated database
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/health").status_code == 200
            root = logging.getLogger()
            assert [type(h.formatter) for h in root.handlers if getattr(h, "_parksafe", False)] == [
                JsonFormatter
            ]
            assert root.level == logging.WARNING
            assert not logging.getLogger("saq").isEnabledFor(logging.INFO)  # no line per enqueued job
    finally:
        configure_logging(Settings(_env_file=None, log_json=False))
