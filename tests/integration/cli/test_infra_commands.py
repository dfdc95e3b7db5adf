"""Every `parksafe …` command the deployment files run exists: a renamed command would fail a
release at its migration step, far from this repository's tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from backend.cli import cli

INFRA = Path(__file__).resolve().parents[3] / "infra"
COMMAND = re.compile(r"\bparksafe((?:[ \t]+[a-z][a-z-]*)+)")
QUOTED_LIST_SEPARATOR = re.compile(r'"\s*,\s*"')  # ["parksafe", "worker"] reads as parksafe worker


def commands_in_infra() -> list[tuple[str, str]]:
    found = []
    for path in sorted(INFRA.rglob("*")):
        if not path.is_file() or path.suffix == ".md":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in COMMAND.finditer(QUOTED_LIST_SEPARATOR.sub(" ", line)):
                found.append((str(path.relative_to(INFRA)), match.group(1).strip()))
    return found


def test_the_deployment_files_parse() -> None:
    for path in [*INFRA.rglob("*.yml"), *INFRA.rglob("*.yaml")]:
        assert list(yaml.safe_load_all(path.read_text(encoding="utf-8"))), path


@pytest.mark.parametrize(("where", "words"), commands_in_infra())
def test_every_parksafe_command_in_the_deployment_files_exists(where: str, words: str) -> None:
    # Only the command words: options start with "-", and what follows a command is its arguments.
    names = [word for word in words.split() if not word.startswith("-")]
    group: object = cli
    path = []
    for name in names:
        commands = getattr(group, "commands", None)
        if commands is None or name not in commands:
            break
        group = commands[name]
        path.append(name)
    assert path, f"{where}: `parksafe {words}` names no parksafe command"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, f"{where}: parksafe {' '.join(path)}: {result.output}"
    assert getattr(group, "commands", None) is None, (
        f"{where}: `parksafe {' '.join(path)}` is a group, not a command"
    )
