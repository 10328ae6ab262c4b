"""Services run at the same moment, as two instances or two people would: the concurrency tests
release their workers together and look at what the database kept."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session


def at_once(app, *workers: Callable[[Session], Any]) -> list[Any]:
    """Run each worker in its own thread, with its own request context and its own session on
    the application's database, all released together by a barrier; their results in order.
    A worker's unexpected exception fails the test (re-raised here)."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)
    errors: list[BaseException] = []

    def run(index: int, worker: Callable[[Session], Any]) -> None:
        try:
            with app.test_request_context(), Session(engine) as session:
                barrier.wait()
                results[index] = worker(session)
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
