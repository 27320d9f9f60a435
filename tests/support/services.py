"""Service calls for tests: each in its own unit of work, as a face or the CLI runs one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from onestop_desk.db.database import Database
from onestop_desk.services.uow import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")


def in_uow(
    service: Callable[Concatenate[UnitOfWork, P], R], *, readonly: bool = False
) -> Callable[Concatenate[Database, P], R]:
    """``service`` called with a fresh unit of work on ``database`` (the service commits it)."""

    def run(database: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with UnitOfWork(database, readonly=readonly) as uow:
            return service(uow, *args, **kwargs)

    return run
