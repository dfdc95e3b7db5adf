from __future__ import annotations

from typing import Any, Literal

import anyio.to_thread
from litestar import Controller, Request, Response, get, head, post, put
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream

from backend.db.engine import transaction
from backend.domain.accounts.principal import Principal
from backend.domain.photos.access import out_of_reach
from backend.domain.photos.annotation import annotate
from backend.domain.photos.intake import (
    check_declared_size,
    check_hash_format,
    inspect_image,
    receive,
    verify_hash,
)
from backend.domain.photos.service import PhotoService, StoredPhoto, original_key, thumbnail_key
from backend.domain.photos.thumbnails import ensure_thumbnail
from mobile_api.schemas.sync import MissingPhotosIn, MissingPhotosOut, PhotoOut
from mobile_api.state import AppState


def _photo_out(photo: Any) -> PhotoOut:
    gps = {"lat": photo.gps_lat, "lng": photo.gps_lng} if photo.gps_lat is not None else None
    return PhotoOut(
        photo.sha256, photo.width, photo.height, photo.content_type, photo.bytes, photo.taken_at, gps
    )


class PhotoController(Controller):
    path = "/photos"
    tags = ["photos"]

    @put("/{sha256:str}", operation_id="put_photo", request_max_body_size=None, status_code=201)
    async def put_photo(
        self, sha256: FromPath[str], request: Request[Principal, Any, Any], state: State
    ) -> Response[PhotoOut]:
        """Store raw image bytes under their SHA-256: 201 stored, 200 already stored."""
        app: AppState = state.parksafe
        settings = app.settings
        check_hash_format(sha256)
        check_declared_size(request.headers.get("content-length"), settings.photo_max_bytes)
        upload = await receive(
            request.stream(), settings.resolved_data_dir / "incoming", settings.photo_max_bytes
        )
        try:
            verify_hash(upload, sha256)

            def inspect_and_store() -> StoredPhoto:  # one thread hop: file and database I/O block
                image = inspect_image(upload.path, settings.photo_max_pixels)
                with transaction(app.session_factory) as session:
                    return PhotoService(session, app.object_store).store(upload, image, request.user)

            stored = await anyio.to_thread.run_sync(inspect_and_store)
        finally:
            upload.path.unlink(missing_ok=True)
        return Response(
            _photo_out(stored.photo),
            status_code=201 if stored.created else 200,
            background=BackgroundTask(app.outbox.nudge),
        )

    @post("/missing", operation_id="missing_photos", status_code=200, sync_to_thread=True)
    def missing_photos(
        self, data: JSONBody[MissingPhotosIn], request: Request[Principal, Any, Any], state: State
    ) -> MissingPhotosOut:
        """Which of these photos to upload: one request for a phone's whole queue instead of a
        `HEAD` each. A photo stored by someone whose photos the caller may not use is missing
        to them, as `HEAD` says."""
        app: AppState = state.parksafe
        with app.session_factory() as session:
            return MissingPhotosOut(
                PhotoService(session, app.object_store).missing(request.user, data.sha256)
            )

    @head("/{sha256:str}", operation_id="head_photo", sync_to_thread=True)
    def head_photo(
        self, sha256: FromPath[str], request: Request[Principal, Any, Any], state: State
    ) -> Response[None]:
        """200 when the photo is stored (the client may skip its upload), 404 when not."""
        app: AppState = state.parksafe
        check_hash_format(sha256)
        with app.session_factory() as session:
            photo = PhotoService(session, app.object_store).get(sha256)
            # A photo the caller may not use reads as not stored: their phone uploads it, which
            # proves they hold its bytes; and its existence does not leak.
            if photo is not None and out_of_reach(session, request.user, [sha256]):
                photo = None
        if photo is None:
            return Response(None, status_code=404)
        size = str(photo.bytes)
        return Response(
            None, headers={"content-type": photo.content_type, "content-length": size, "x-photo-bytes": size}
        )

    @get("/{sha256:str}", operation_id="get_photo")
    async def get_photo(
        self,
        sha256: FromPath[str],
        request: Request[Principal, Any, Any],
        state: State,
        size: FromQuery[Literal["original", "thumb", "annotated"]] = "original",
    ) -> Stream | Response[bytes]:
        """The image, only for callers who may see a finding that uses it (or who uploaded it).
        ``size=annotated``: the upright photo with the detector's boxes drawn on it (JPEG)."""
        app: AppState = state.parksafe
        check_hash_format(sha256)

        def find() -> tuple[Any, list[dict[str, Any]]]:
            with app.session_factory() as session:
                service = PhotoService(session, app.object_store)
                photo = service.visible_photo(request.user, sha256)
                return photo, service.detections(request.user, sha256) if size == "annotated" else []

        photo, results = await anyio.to_thread.run_sync(find)
        if size == "annotated":
            original = await anyio.to_thread.run_sync(app.object_store.read, original_key(sha256))
            drawn = await anyio.to_thread.run_sync(annotate, original, results)
            return Response(drawn, media_type="image/jpeg", headers={"cache-control": "private, no-cache"})
        if size == "thumb":
            key = thumbnail_key(sha256)
            await anyio.to_thread.run_sync(
                ensure_thumbnail, app.object_store, original_key(sha256), key, app.settings.thumbnail_px
            )
            content_type = "image/jpeg"
        else:
            key, content_type = original_key(sha256), photo.content_type
        # Opened before the response starts: a store that is down is a 503, not a 200 cut short.
        chunks = await anyio.to_thread.run_sync(app.object_store.iter_chunks, key)
        return Stream(
            chunks,
            media_type=content_type,
            headers={"cache-control": "private, max-age=31536000, immutable", "etag": f'"{sha256}-{size}"'},
        )
