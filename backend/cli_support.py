"""What every ``parksafe`` command shares: readable errors and one transaction per command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
import sqlalchemy as sa

from ai.registry import UnknownModel
from backend.domain.errors import DomainError
from backend.settings import Settings
from backend.storage.probe import StoreProbeFailed
from rules.loader import RulesFileError

F = TypeVar("F", bound=Callable[..., Any])

try:  # boto3 comes with the s3 extra
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS: tuple[type[Exception], ...] = (BotoCoreError, ClientError, StoreProbeFailed)
except ImportError:  # pragma: no cover - installs without the s3 extra
    STORAGE_ERRORS = (StoreProbeFailed,)


def friendly_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        except (RulesFileError, UnknownModel) as exc:
            raise click.ClickException(str(exc)) from exc
        except STORAGE_ERRORS as exc:
            raise click.ClickException(f"照片存储不可用 / photo storage unavailable: {exc}") from exc
        except sa.exc.OperationalError as exc:
            if "no such table" in str(exc.orig):
                raise click.ClickException(
                    "数据库结构未就绪，请先运行 `parksafe db upgrade` / schema missing: run `parksafe db upgrade`"
                ) from exc
            raise click.ClickException(
                f"无法连接数据库 / cannot reach the database: {exc.orig or exc}"
            ) from exc
        except sa.exc.ProgrammingError as exc:
            raise click.ClickException(
                f"数据库结构未就绪，请先运行 `parksafe db upgrade` / schema missing: {exc.orig or exc}"
            ) from exc

    return wrapper  # type: ignore[return-value]


@contextmanager
def unit_of_work(settings: Settings) -> Iterator[Any]:
    from backend.db.engine import create_db_engine, create_session_factory, transaction

    engine = create_db_engine(settings)
    try:
        with transaction(create_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
