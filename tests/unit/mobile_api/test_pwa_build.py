"""The committed PWA build in mobile_api/pwa/dist is what its sources build to, and it is installable."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

PWA = Path(__file__).resolve().parents[3] / "mobile_api" / "pwa"
# Same inputs, order and framing as the digest vite.config.js writes into dist/build-info.json.
SOURCES = ["index.html", "vite.config.js", "package-lock.json", "src", "public"]


def files(path: Path) -> list[Path]:
    if path.is_dir():
        return [file for child in sorted(path.iterdir(), key=lambda p: p.name) for file in files(child)]
    return [path]


def source_digest() -> str:
    digest = hashlib.sha256()
    for file in (file for source in SOURCES for file in files(PWA / source)):
        digest.update(file.relative_to(PWA).as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_the_committed_build_matches_its_sources() -> None:
    built = json.loads((PWA / "dist" / "build-info.json").read_text())
    assert built["sources_sha256"] == source_digest(), (
        "mobile_api/pwa changed: run `make pwa` and commit dist/"
    )


def test_the_build_is_an_installable_pwa_with_no_outside_urls() -> None:
    manifest = json.loads((PWA / "dist" / "manifest.webmanifest").read_text())
    assert manifest["short_name"] == "园安" and manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-CN"
    for icon in manifest["icons"]:
        assert (PWA / "dist" / icon["src"].lstrip("/")).is_file()
    service_worker = (PWA / "dist" / "sw.js").read_text()
    assert "index.html" in service_worker  # the app shell is precached
    # The park's intranet may have no internet: the shell loads nothing from elsewhere.
    shell = (PWA / "dist" / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", shell)
