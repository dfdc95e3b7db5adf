"""The separate worker process of the production layout (`parksafe worker`) knows every job."""

from __future__ import annotations

import subprocess
import sys

from backend.jobs.base import registry


def test_the_worker_command_registers_every_job_the_api_enqueues() -> None:
    """Run in a fresh interpreter: in this test process the app's import has registered them already."""
    import backend.jobs.catalog  # noqa: F401

    expected = sorted(spec.name for spec in registry.specs())
    script = (
        "import backend.cli  # what `parksafe worker` imports\n"
        "import backend.jobs.runner\n"
        "from backend.jobs.base import registry\n"
        "print(','.join(sorted(spec.name for spec in registry.specs())))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert expected and found.stdout.strip().split(",") == expected
