"""The one place the application is assembled."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Controller, Litestar, Request, Router
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

import backend.jobs.catalog  # noqa: F401  (registers every job)
from backend.db.engine import DatabaseProbe, create_db_engine, create_session_factory, transaction
from backend.db.migrate import SchemaCheck
from backend.db.types import utcnow
from backend.domain.escalation.service import EscalationService, load_escalation_rules
from backend.domain.notifications.stalled import resend_stalled
from backend.jobs import JobContext, create_job_queue
from backend.jobs.dispatcher import OutboxDispatcher
from backend.jobs.outbox import dispatch_pending
from backend.settings import Settings
from backend.storage import create_object_store
from mobile_api.auth import BearerTokenMiddleware
from mobile_api.control_characters import refuse_control_characters
from mobile_api.controllers.ai import detect
from mobile_api.controllers.auth import AuthController
from mobile_api.controllers.enterprises import EnterpriseController
from mobile_api.controllers.findings import FindingController
from mobile_api.controllers.governance import GovernancePlanController
from mobile_api.controllers.health import health, health_head
from mobile_api.controllers.library import RegulationController, match
from mobile_api.controllers.notifications import list_notifications
from mobile_api.controllers.photos import PhotoController
from mobile_api.controllers.reviews import CorrectionController, ReviewController
from mobile_api.controllers.stats import stats
from mobile_api.controllers.sync import SyncController
from mobile_api.dependencies import dependencies
from mobile_api.errors import exception_handlers
from mobile_api.logging_setup import configure_logging
from mobile_api.query_parameters import refuse_unknown_query_parameters
from mobile_api.request_id import RequestIdMiddleware, add_request_id_header
from mobile_api.state import AppState
from rules.escalation_schema import EscalationRules

# The built PWA (mobile_api/pwa/dist, committed; `make pwa` rebuilds it from mobile_api/pwa/src).
PWA_DIR = Path(__file__).parent / "pwa" / "dist"
mimetypes.add_type("application/manifest+json", ".webmanifest")
API_HANDLERS: list[type[Controller] | HTTPRouteHandler] = [
    AuthController,
    EnterpriseController,
    FindingController,
    SyncController,
    PhotoController,
    GovernancePlanController,
    ReviewController,
    CorrectionController,
    RegulationController,
    detect,
    list_notifications,
    match,
    stats,
]


async def _sweep_outbox(state: AppState) -> None:
    """Hand jobs left in the outbox (by a crash, or by another process) to the queue."""
    while True:
        try:
            await dispatch_pending(state.session_factory, state.job_queue)
        except Exception:
            logging.getLogger(__name__).exception("dispatching the job outbox failed; will retry")
        await asyncio.sleep(state.settings.outbox_poll_seconds)


async def _run_escalation_rules(state: AppState, rules: EscalationRules) -> None:
    """The scheduled 督办 run, and the resending of stalled messages; idempotent, so several
    replicas running it is harmless."""
    import anyio.to_thread

    def run_once() -> None:
        with transaction(state.session_factory) as session:
            EscalationService(session, state.settings, rules).run(utcnow())

    while True:
        await asyncio.sleep(state.settings.escalation_interval_seconds)
        try:
            await anyio.to_thread.run_sync(run_once)
            await dispatch_pending(state.session_factory, state.job_queue)
        except Exception:
            logging.getLogger(__name__).exception("escalation run failed; will retry")
        try:  # on its own: a failing escalation run must not keep stalled messages from going out
            await resend_stalled(state.session_factory, state.job_queue, utcnow())
        except Exception:
            logging.getLogger(__name__).exception("resending stalled notifications failed; will retry")


async def check_api_request(request: Request[Any, Any, Any]) -> None:
    """Before each API handler: no query parameter it does not take, no control characters."""
    refuse_unknown_query_parameters(request)
    await refuse_control_characters(request)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    configure_logging(settings)
    rules = load_escalation_rules(settings.escalation_rules_path)  # a bad rules file stops the start
    engine = create_db_engine(settings)
    session_factory = create_session_factory(engine)
    job_queue = create_job_queue(settings)
    state = AppState(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        job_queue=job_queue,
        object_store=create_object_store(settings),
        outbox=OutboxDispatcher(session_factory, job_queue),
        database=DatabaseProbe(engine),
        schema=SchemaCheck(engine),
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncGenerator[None, None]:
        if settings.run_worker or settings.job_backend == "inprocess":
            await state.job_queue.start(JobContext(settings, state.session_factory, state.job_queue))
        else:
            await state.job_queue.connect()
        background = [
            asyncio.create_task(_sweep_outbox(state)),
            asyncio.create_task(_run_escalation_rules(state, rules)),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await state.outbox.stop()
            await state.job_queue.stop()
            engine.dispose()

    api = Router(
        path="/api/v1",
        route_handlers=API_HANDLERS,
        middleware=[BearerTokenMiddleware],
        before_request=check_api_request,
        security=[{"BearerToken": []}],
    )
    return Litestar(
        route_handlers=[
            health,
            health_head,
            api,
            create_static_files_router(
                path="/",
                directories=[PWA_DIR],
                html_mode=True,
                name="pwa",
                # Revalidate every time: a phone must pick up a new service worker and app shell.
                cache_control=CacheControlHeader(no_cache=True),
            ),
        ],
        dependencies=dependencies,
        exception_handlers=exception_handlers,
        middleware=[RequestIdMiddleware()],
        before_send=[add_request_id_header],
        lifespan=[lifespan],
        logging_config=None,  # configure_logging owns the root logger: level, JSON lines, request ids
        state=State({"parksafe": state}),
        request_max_body_size=settings.max_json_body_bytes,
        openapi_config=OpenAPIConfig(
            title="ParkSafe 园安 API",
            version="1.0.0",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        response_cache_config=ResponseCacheConfig(),
        debug=False,
    )
