from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Request, post
from litestar.datastructures import State

from ai.detection import ai_available, get_detectors
from ai.images import upright_photo
from backend.domain.errors import DomainError, ErrorKind
from backend.domain.photos.intake import check_declared_size, inspect_image, receive
from mobile_api.state import AppState


class AIUnavailable(DomainError):
    kind = ErrorKind.CONFLICT
    code = "ai_not_installed"


@post("/ai/detect", operation_id="ai_detect", tags=["ai"], status_code=200, request_max_body_size=None)
async def detect(request: Request[Any, Any, Any], state: State) -> dict[str, Any]:
    """Run the registered detectors on raw image bytes; boxes in pixels of the upright image."""
    app: AppState = state.parksafe
    settings = app.settings
    check_declared_size(request.headers.get("content-length"), settings.photo_max_bytes)
    upload = await receive(
        request.stream(), settings.resolved_data_dir / "incoming", settings.photo_max_bytes
    )
    try:
        await anyio.to_thread.run_sync(inspect_image, upload.path, settings.photo_max_pixels)
        if not ai_available():
            raise AIUnavailable("本服务器未安装识别模型 / the AI extra is not installed on this server")

        def run() -> dict[str, Any]:
            detectors = get_detectors(settings.resolved_data_dir)
            photo = upright_photo(
                upload.path.read_bytes(), max((d.entry.image_size for d in detectors), default=None)
            )
            results = [detector.detect([photo])[0] for detector in detectors]
            first = results[0].as_dict()
            first["detections"] = [d for result in results for d in result.as_dict()["detections"]]
            first["models"] = [result.as_dict()["model"] for result in results]
            return first

        return await anyio.to_thread.run_sync(run)
    finally:
        upload.path.unlink(missing_ok=True)
