"""Browser tests: Debian's chromium driven by Playwright at phone size against a real server.

Screenshots of every screen land in test-artifacts/pwa/ (look at them after a run)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Route,
    expect,
    sync_playwright,
)

from tests.integration.pwa.server import DEMO_PASSWORDS, Server, running_server
from tests.photos import camera_jpeg

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "pwa"
DATASET = Path(__file__).resolve().parents[4] / "shared" / "datasets" / "ppe-sfchd" / "val" / "images"
# Flags for this closed network: no background calls home, no sandbox as root, no GPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
]
PHONE = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "geolocation": {"latitude": 38.9812, "longitude": 117.7365},
    "permissions": ["geolocation"],
    "service_workers": "allow",
}

pytestmark = pytest.mark.slow
# A screen waits up to 8 s for the server before showing its local copy (SCREEN_TIMEOUT_MS), and a
# loaded 2-core CI machine can take that long: expectations wait longer than the app does.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: `make system-deps` (as root) installs it")
        pytest.skip("Debian's chromium is not installed (make system-deps)")
    # Package scope: the sync API keeps an event loop running in this thread until it stops,
    # and async tests collected after these would find it and fail.
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("pwa-server")) as server:
        yield server


@pytest.fixture
def phone(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    """A fresh phone (its own storage) per call; closed after the test."""
    contexts: list[BrowserContext] = []

    def new_phone() -> BrowserContext:
        context = browser.new_context(**PHONE)  # type: ignore[arg-type]
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield new_phone
    for context in contexts:
        context.close()


@pytest.fixture
def workers_without_helmets() -> Path:
    """A real site photo on which the PPE model finds workers without helmets."""
    workers = DATASET / "part2_000829.jpg"
    if not workers.exists():
        pytest.skip("needs the real photo from the PPE data set")
    return workers


@pytest.fixture
def photo(tmp_path: Path) -> Callable[[int], Path]:
    """Real site photos from the PPE data set (val split), by position; where the data set is not
    beside the checkout, distinct camera JPEGs with EXIF time and GPS stand in (never a skip)."""
    images = sorted(DATASET.glob("*.jpg"))
    if images:
        return lambda index: images[index]

    def synthetic(index: int) -> Path:
        path = tmp_path / f"camera-{index}.jpg"
        path.write_bytes(camera_jpeg(size=(640, 480), color=(40 + 20 * index, 90, 160)))
        return path

    return synthetic


@pytest.fixture
def fresh_photo(photo: Callable[[int], Path], tmp_path: Path) -> Callable[[int], Path]:
    """A photo no other test has sent to the shared server: ``photo(index)`` with bytes of its own
    appended after the image (it decodes the same, and hashes differently)."""

    def fresh(index: int) -> Path:
        path = tmp_path / f"fresh-{index}-{uuid.uuid4().hex[:8]}.jpg"
        path.write_bytes(photo(index).read_bytes() + uuid.uuid4().bytes)
        return path

    return fresh


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_app(context: BrowserContext, server: Server, hash_: str = "") -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/{hash_}")
    return page


def log_in(page: Page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="立即同步")).to_be_visible()
    # The first pull has landed when the status line says everything is synced.
    expect(page.get_by_role("status").filter(has_text="上次同步")).to_be_visible()


def requests_to(page: Page, method: str, path: str) -> list[str]:
    """The URLs the page sends ``method`` requests to whose path contains ``path``, collected as they go."""
    sent: list[str] = []

    def collect(request: Request) -> None:
        if request.method == method and path in urlsplit(request.url).path:
            sent.append(request.url)

    page.on("request", collect)
    return sent


def wait_for_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


_EDIT_SESSION = """(fields) => new Promise((resolve, reject) => {
    const open = indexedDB.open("parksafe");
    open.onsuccess = () => {
        const tx = open.result.transaction("kv", "readwrite");
        const store = tx.objectStore("kv");
        const read = store.get("session");
        read.onsuccess = () => store.put({key: "session", value: {...read.result.value, ...fields}});
        tx.oncomplete = () => resolve(true);
        tx.onerror = () => reject(tx.error);
    };
})"""


def edit_session(page: Page, **fields: str) -> None:
    """Change the login the phone keeps (IndexedDB), e.g. ``expires_at`` or ``token``."""
    page.evaluate(_EDIT_SESSION, fields)


PULLS = "**/api/v1/sync/pull*"
UNDECODABLE = '{"error": {"code": "undecodable_image", "message": "无法解码的图片 / cannot decode image", "detail": null}}'


class HeldPulls:
    """The page's sync pulls held unanswered until released: a slow network under a sync run."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self._routes: list[Route] = []
        # Playwright calls a Python function, not a builtin method: self._routes.append alone fails there.
        page.route(PULLS, lambda route: self._routes.append(route))  # noqa: PLW0108

    def wait_until_sent(self) -> None:
        while not self._routes:  # Playwright runs the route handler while the page waits
            self._page.wait_for_timeout(100)

    def release(self) -> None:
        self.wait_until_sent()
        for route in self._routes:
            route.continue_()
        self._page.unroute(PULLS)


def refuse_photo_uploads(page: Page) -> None:
    """The server answers every photo upload 422: a photo the phone can read but the server cannot
    decode (stands in for a damaged file)."""

    def refuse(route: Route) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        route.fulfill(status=422, content_type="application/json", body=UNDECODABLE)

    page.route("**/api/v1/photos/*", refuse)
