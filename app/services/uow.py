"""One transaction per use case (style.md: cosmicpython's unit of work, Superset's
``@transaction``): a service decorated with ``transaction`` commits once when it returns and rolls
back on any error, so a service that raises never leaves half a change in the session for the
next commit to save. Services themselves never commit or roll back."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.exc import StaleDataError

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.services.errors import ConflictError

P = ParamSpec("P")
R = TypeVar("R")

STALE_RECORD = _l(
    "Someone else changed this record a moment ago; your action was not saved. The page now "
    "shows the current state."
)
_DEPTH = "suqiu.transaction_depth"


def transaction(
    on_integrity_error: Callable[[IntegrityError], DomainError] | None = None,
    *,
    conflict_message=STALE_RECORD,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a service whose first argument is the session. A service called by another
    service joins the caller's transaction (only the outermost commits). A lost optimistic lock
    becomes ``ConflictError``; ``on_integrity_error`` turns a constraint violation into the
    service's own typed error."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            session = args[0]
            assert isinstance(session, Session | scoped_session), f"{service.__name__}: session"
            depth = session.info.get(_DEPTH, 0)
            session.info[_DEPTH] = depth + 1
            try:
                result = service(*args, **kwargs)
                if depth == 0:
                    session.commit()
                return result
            except StaleDataError as exc:
                _abandon(session, depth)
                raise ConflictError(conflict_message) from exc
            except IntegrityError as exc:
                _abandon(session, depth)
                if on_integrity_error is None:
                    raise
                raise on_integrity_error(exc) from exc
            except BaseException:
                _abandon(session, depth)
                raise
            finally:
                session.info[_DEPTH] = depth

        run.__wrapped_transaction__ = True  # type: ignore[attr-defined]
        return run

    return decorate


@contextmanager
def caller_owns_transaction(session: Session) -> Iterator[Session]:
    """Services run inside this block join the caller's transaction: they neither commit nor
    roll back, the caller does (a command doing several use cases as one, a test exploring
    alternatives with savepoints)."""
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
    finally:
        session.info[_DEPTH] = depth


def _abandon(session: Session | scoped_session[Session], depth: int) -> None:
    # Only the outermost service rolls back: an inner one's error either propagates (and the
    # outer rolls back) or is handled by the caller, whose transaction goes on.
    if depth == 0:
        session.rollback()
