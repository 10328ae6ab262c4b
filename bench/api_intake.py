"""API intake throughput (issue 11): the production WSGI server (gunicorn, 2 workers) on a fresh
PostgreSQL database ``api_bench`` (made as ``suqiu init`` + demo), N cases posted to
/api/v1/cases by several client threads over keep-alive connections; prints cases/s, and beside
it, on the same database just after, ``register_case`` called in-process by as many worker
processes (bench.services), so that what HTTP, authentication and the call log add is visible;
and the load average, since the figures move with what else the machine runs.

    python -m bench.api_intake [--cases 3000] [--clients 8] [--port 8391] [--batch 100]
                               [--warmup 200]
                               [--worker-class sync|gthread] [--threads 4] [--seconds 10]

``--batch N``: besides the single deliveries, the same number of new cases posted to
/api/v1/cases/batch N at a time (how a platform catching up delivers).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.database import app_config, create_database, dispose, drop_database, make_app, prepare

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/api_bench"


def _token(app) -> str:
    from app.extensions import db
    from app.services.actor import Actor
    from app.services.api_clients import issue_token, register_client

    with app.test_request_context():
        client = register_client(db.session, Actor.system(), code="bench", name="压测系统")
        _token_row, text = issue_token(
            db.session,
            Actor.system(),
            client.id,
            label="bench",
            channels=["hotline_96511", "wechat"],
            operations=["cases.create"],
            rate_per_minute=60000,
        )
        return text


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def _case(ref: str) -> dict:
    return {
        "channel": "hotline_96511",
        "external_ref": ref,
        "kind": "consultation",
        "customer_name": "压测客户",
        "customer_phone": "13800000000",
        "content": "询问燃气开户需要哪些材料。",
    }


def _post_all(port: int, token: str, refs: list[str], statuses: list[int], batch: int = 0) -> None:
    """``refs`` posted one by one to /cases, or ``batch`` at a time to /cases/batch (then each
    item's status is recorded)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    step = batch or 1
    for start in range(0, len(refs), step):
        chunk = refs[start : start + step]
        if batch:
            body = json.dumps({"cases": [_case(ref) for ref in chunk]})
            connection.request("POST", "/api/v1/cases/batch", body=body, headers=headers)
        else:
            connection.request(
                "POST", "/api/v1/cases", body=json.dumps(_case(chunk[0])), headers=headers
            )
        response = connection.getresponse()
        data = response.read()
        if batch and response.status == 200:
            statuses.extend(item["status"] for item in json.loads(data)["items"])
        else:
            statuses.extend([response.status] * len(chunk))


def start_gunicorn(
    target: str, port: int, env: dict, workers: int = 2, kind: str = "sync", threads: int = 1
) -> subprocess.Popen:
    """gunicorn serving ``target`` (module:callable) on the loopback, once it answers."""
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-w",
            str(workers),
            "-k",
            kind,
            "--threads",
            str(threads if kind == "gthread" else 1),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        env=env,
    )
    _wait(port)
    return server


def stop(server: subprocess.Popen | None) -> None:
    if server is not None:
        server.terminate()
        server.wait(timeout=30)


def deliver(
    port: int, token: str, cases: int, clients: int, batch: int = 0, prefix: str = "B"
) -> tuple[list[int], float]:
    """``cases`` new cases posted by ``clients`` threads (``batch`` at a time when given): their
    statuses and the seconds taken."""
    refs = [f"{prefix}{i:07d}" for i in range(cases)]
    statuses: list[int] = []
    threads = [
        threading.Thread(target=_post_all, args=(port, token, refs[i::clients], statuses, batch))
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, time.perf_counter() - started


def _report(how: str, clients: int, statuses: list[int], elapsed: float) -> None:
    created = statuses.count(201)
    print(
        f"API intake over HTTP ({how}, PostgreSQL, {clients} clients): {created} cases created "
        f"of {len(statuses)} delivered in {elapsed:.1f} s = {created / elapsed:.0f} cases/s; "
        f"other statuses: {sorted({s for s in statuses if s != 201})}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument("--seconds", type=float, default=10, help="in-process run")
    parser.add_argument("--batch", type=int, default=0, help="also post N cases a call")
    parser.add_argument(
        "--warmup", type=int, default=200, help="deliveries before the timed run (not counted)"
    )
    args = parser.parse_args(argv)
    drop_database(URL)  # our own throw-away database, by its fixed name
    create_database(URL)
    instance = Path(tempfile.mkdtemp(prefix="suqiu-api-bench-"))
    app = make_app(URL, instance)
    server = None
    try:
        prepare(app)
        token = _token(app)
        dispose(app)
        config = app_config(URL, instance)
        env = {
            **os.environ,
            "DATABASE_URL": URL,
            "SECRET_KEY": config["SECRET_KEY"],
            "SUQIU_INSTANCE_PATH": str(instance),
            "SUQIU_SECURE_COOKIES": "0",
        }
        server = start_gunicorn(
            "app.wsgi:application",
            args.port,
            env,
            args.workers,
            args.worker_class,
            args.threads,
        )
        # Steady state: the workers' first calls load the reference data, compile and prepare
        # their statements and warm the new database's pages.
        deliver(args.port, token, args.warmup, args.clients, prefix="W")
        statuses, elapsed = deliver(args.port, token, args.cases, args.clients)
        threads = f" ×{args.threads} threads" if args.worker_class == "gthread" else ""
        kind = args.worker_class + threads
        _report(f"gunicorn {args.workers} workers, {kind}", args.clients, statuses, elapsed)
        if args.batch:
            statuses, elapsed = deliver(
                args.port, token, args.cases, args.clients, args.batch, prefix="N"
            )
            _report(f"batches of {args.batch}", args.clients, statuses, elapsed)
        stop(server)
        server = None
        from bench.services import _throughput

        rate, count, errors, _memory = _throughput(
            URL, str(instance), args.workers, args.seconds, raw=False
        )
        print(
            f"register_case in-process ({args.workers} worker processes, same database): "
            f"{count} cases in {args.seconds:.0f} s = {rate:.0f} cases/s"
            + (f" ({errors} failed)" if errors else "")
            + f"; load average {os.getloadavg()[0]:.2f}"
        )
    finally:
        stop(server)
        drop_database(URL)


if __name__ == "__main__":
    main()
