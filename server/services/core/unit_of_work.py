"""What a use case needs from its transaction (implemented by :class:`server.db.uow.SqlUnitOfWork`)."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.orm import Session

from ...domain.events import Event


class UnitOfWork(Protocol):
    session: Session

    @property
    def dialect(self) -> str: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def emit(self, event: Event) -> None: ...

    def commit(self) -> list[Event]: ...
