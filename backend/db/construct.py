"""Building table rows on hot paths without SQLModel's per-field machinery.

``Model(**values)`` on a table model fills each omitted field through pydantic's
``FieldInfo.get_default`` (which inspects a ``default_factory``'s signature on every
call) and then sets every attribute through SQLModel's ``__setattr__`` and SQLAlchemy's
instrumentation, recording a change history a new row never needs. ``new`` takes the
defaults from a table computed once per model and writes the attribute dictionary
directly. The result is an ordinary transient instance: add it to a session (a flush
inserts every attribute it holds; later changes are tracked as usual) or insert it
set-wise with ``backend.db.bulk.BulkRows``. Table models skip validation either way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from enum import Enum
from functools import cache, partial
from typing import Any, TypeVar, cast

from sqlalchemy.orm import configure_mappers, instrumentation
from sqlmodel import SQLModel

M = TypeVar("M", bound=SQLModel)
_IMMUTABLE = (str, int, float, bool, bytes, tuple, frozenset, type(None), Enum)


@cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]:
    """Per model: immutable defaults (shared safely) and factories for the rest.

    Runs once per model, before its first row: it also configures the mappers, which a
    model's own constructor would do and without which its attributes cannot be read.
    """
    configure_mappers()
    constants: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, field in model.model_fields.items():
        if field.is_required():
            continue
        if field.default_factory_takes_validated_data:
            raise TypeError(f"{model.__name__}.{name}: default factories of other fields are not supported")
        if field.default_factory is not None:
            factories.append((name, cast(Callable[[], Any], field.default_factory)))
        elif isinstance(field.default, _IMMUTABLE):  # enums included
            constants[name] = field.default
        else:
            factories.append((name, partial(copy.deepcopy, field.default)))
    return constants, tuple(factories)


def new(model: type[M], **values: Any) -> M:
    """A new row of ``model`` with every omitted field given its default."""
    if not values.keys() <= model.model_fields.keys():
        raise TypeError(f"{model.__name__} has no fields {sorted(values.keys() - model.model_fields.keys())}")
    constants, factories = _defaults(model)
    data = {**constants, **values}
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    instance: M = instrumentation.manager_of_class(model).new_instance()
    instance.__dict__.update(data)
    object.__setattr__(instance, "__pydantic_fields_set__", set(data))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance
