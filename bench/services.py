"""The services of issue 12 timed directly: the overdue sweep in its steady state (a run that
finds nothing new, as a scheduled job does most of the time), and intake throughput: cases per
second through ``app.services.case_registration.register_case`` from N worker processes, each
with its own application and session, beside the same N workers writing the three statements a
registration needs (counter, case, event) by hand."""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

from bench import rawsql
from bench.report import Row, median_ms, peak_rss_mb, reset_peak_rss

REGISTRAR = "csd"


def measure_sweep(app, repeat: int, now) -> Row:
    from app.extensions import db
    from app.services.sweep import sweep_overdue

    with app.app_context():
        reset_peak_rss()
        ours, result = median_ms(lambda: sweep_overdue(db.session, now=now), repeat)
        peak = peak_rss_mb()
        with db.engine.connect() as connection:
            raw, rows = median_ms(
                lambda: [connection.execute(text(s), p).fetchall() for s, p in rawsql.sweep(now)],
                repeat,
            )
        db.session.remove()
    found = sum(len(r) for r in rows)
    return Row("overdue sweep (steady state)", "system", str(found), ours, raw, peak)


def registration_data(session):
    from app.models import CaseKind, Channel
    from app.services.case_registration import Registration

    channel = session.scalar(select(Channel.id).where(Channel.code == "citizen_hotline"))
    kind = session.scalar(select(CaseKind.id).where(CaseKind.code == "business"))
    return Registration(
        channel_id=channel,
        kind_id=kind,
        customer_name="王建国",
        customer_phone="13971000001",
        customer_address="江岸区黄浦大街18号",
        content="客户反映燃气表计量异常，申请上门检测并更换。",
    )


RAW_CASE = (
    "INSERT INTO service_case (number, channel_id, channel_category_code, kind_id, "
    "customer_name, customer_phone, content, status, first_contact_id, received_at, sign_due, "
    "finish_due, due_provisional, urgent, media_involved, adverse_impact, major_interest, "
    "property_loss, casualties, rehandle_count, return_count, unreachable_attempts, "
    "extension_count, sign_overdue, finish_overdue, due_soon_notified, version) VALUES "
    "(:number, :channel, 'government', :kind, '王建国', '13971000001', '客户反映燃气表计量异常。', "
    "'pending_dispatch', :user, :now, :now, :now, false, false, false, false, false, false, "
    "false, 0, 0, 0, 0, false, false, false, 1) RETURNING id"
)


def _raw_register(connection, data, user_id: int, now) -> None:
    day = now.strftime("%Y%m%d")
    with connection.begin():
        connection.execute(
            text("INSERT INTO case_number_counter (day, last) VALUES (:day, 0) "
                 "ON CONFLICT (day) DO NOTHING"), {"day": day})  # fmt: skip
        last = connection.execute(
            text("UPDATE case_number_counter SET last = last + 1 WHERE day = :day "
                 "RETURNING last"), {"day": day}).scalar_one()  # fmt: skip
        case_id = connection.execute(
            text(RAW_CASE),
            {"number": f"SQ{day}{last:04d}", "channel": data.channel_id, "kind": data.kind_id,
             "user": user_id, "now": now},
        ).scalar_one()  # fmt: skip
        connection.execute(
            text("INSERT INTO case_event (case_id, action, actor_id, at, to_status) "
                 "VALUES (:case, 'register', :user, :now, 'pending_dispatch')"),
            {"case": case_id, "user": user_id, "now": now},
        )  # fmt: skip


def _worker(url: str, instance: str, raw: bool, seconds: float, barrier, results) -> None:
    from app.domain.clock import now as clock_now
    from app.extensions import db
    from app.models import SuqiuUser
    from app.services.actor import Actor
    from app.services.case_registration import register_case
    from bench.database import make_app

    app = make_app(url, Path(instance))
    with app.app_context():
        user = db.session.scalar(select(SuqiuUser).where(SuqiuUser.username == REGISTRAR))
        actor, data, user_id = Actor.of(user), registration_data(db.session), user.id
        connection = db.engine.connect() if raw else None
        barrier.wait()
        count, errors, began = 0, 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            try:
                if raw:
                    _raw_register(connection, data, user_id, clock_now())
                else:
                    register_case(db.session, actor, data)
                count += 1
            except Exception as exc:  # noqa: BLE001 - counted, reported
                if not errors:
                    print(f"registration failed: {exc!r}"[:300], file=sys.stderr)
                errors += 1
                db.session.rollback()
        elapsed = time.perf_counter() - began
        if connection is not None:
            connection.close()
        db.session.remove()
        db.engine.dispose()
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((count, errors, elapsed, memory))


def _throughput(url: str, instance: str, workers: int, seconds: float, raw: bool):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(target=_worker, args=(url, instance, raw, seconds, barrier, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    count = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    elapsed = max(o[2] for o in outcomes)
    return count / elapsed, count, errors, max(o[3] for o in outcomes)


def measure_registration(url: str, instance: str, workers: int, seconds: float) -> Row:
    """Cases/s through register_case and through the raw statements; the cases registered are
    deleted afterwards, so that a database measured again is the one generated (thousands of
    undispatched cases received "now" would push a unit's first list page back)."""
    before = _last_case_id(url, instance)
    try:
        ours, count, errors, memory = _throughput(url, instance, workers, seconds, raw=False)
        raw, _, raw_errors, _ = _throughput(url, instance, workers, seconds, raw=True)
    finally:
        _delete_cases_after(url, instance, before)
    rows = f"{count:,}" + (f" ({errors} failed)" if errors else "")
    if raw_errors:
        rows += f" (raw: {raw_errors} failed)"
    return Row(f"registration, {workers} workers", REGISTRAR, rows, ours, raw, memory,
               throughput=True)  # fmt: skip


def _last_case_id(url: str, instance: str) -> int:
    from app.extensions import db
    from bench.database import make_app

    with make_app(url, Path(instance)).app_context():
        last = db.session.scalar(text("SELECT max(id) FROM service_case")) or 0
        db.session.remove()
        db.engine.dispose()
    return last


def _delete_cases_after(url: str, instance: str, last: int) -> None:
    from app.extensions import db
    from bench.database import make_app

    with make_app(url, Path(instance)).app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM case_event WHERE case_id > :last"), {"last": last})
            connection.execute(text("DELETE FROM service_case WHERE id > :last"), {"last": last})
        db.engine.dispose()


def check_numbers(app) -> str:
    """Every case number unique and every day's counter at or past its numbers."""
    from app.extensions import db

    with app.app_context():
        duplicates = db.session.execute(
            text("SELECT count(*) - count(DISTINCT number) FROM service_case")
        ).scalar()
        behind = db.session.execute(
            text(
                "SELECT count(*) FROM (SELECT substr(number, 3, 8) AS day, "
                "max(CAST(substr(number, 11) AS INTEGER)) AS top FROM service_case "
                "GROUP BY substr(number, 3, 8)) n LEFT JOIN case_number_counter k "
                "ON k.day = n.day WHERE k.last IS NULL OR k.last < n.top"
            )
        ).scalar()
        db.session.remove()
    return f"duplicate numbers: {duplicates}, counters behind their numbers: {behind}"
