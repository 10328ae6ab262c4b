"""What this machine allows at all (issue 11's 300 cases/s goal): a bare Flask app under the same
gunicorn (2 sync workers) and the same 8 client threads as ``bench.api_intake``, writing a
delivered case the plainest way (psycopg, no ORM, no authentication: a ping, three INSERTs and
one COMMIT per call). Prints cases/s; the portal's own figure is ``bench.api_intake``'s.

    python -m bench.api_floor [--cases 3000] [--port 8399]
"""

from __future__ import annotations

import argparse
import json
import os

from bench.api_intake import deliver, start_gunicorn, stop
from bench.database import create_database, drop_database

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/api_floor"
DSN = "postgresql://postgres@127.0.0.1:5432/api_floor"

_connection = None


def application(environ, start_response):
    """The whole app: POST /api/v1/cases stores the body; anything else answers 200 (readiness)."""
    import psycopg

    global _connection
    if environ["PATH_INFO"] != "/api/v1/cases":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]
    if _connection is None:
        _connection = psycopg.connect(DSN)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length))
    with _connection.transaction():
        _connection.execute("SELECT 1")
        case_id = _connection.execute(
            "INSERT INTO floor_case (ref, body) VALUES (%s, %s) RETURNING id",
            (body["external_ref"], json.dumps(body, ensure_ascii=False)),
        ).fetchone()[0]
        _connection.execute("INSERT INTO floor_event (case_id) VALUES (%s)", (case_id,))
        _connection.execute("INSERT INTO floor_log (case_id, status) VALUES (%s, 201)", (case_id,))
    start_response("201 Created", [("Content-Type", "application/json")])
    return [json.dumps({"id": case_id}).encode()]


def main(argv: list[str] | None = None) -> None:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8399)
    args = parser.parse_args(argv)
    drop_database(URL)
    create_database(URL)
    server = None
    try:
        with psycopg.connect(DSN, autocommit=True) as connection:
            connection.execute(
                "CREATE TABLE floor_case (id serial PRIMARY KEY, ref text UNIQUE, body text);"
                "CREATE TABLE floor_event (id serial PRIMARY KEY, case_id int);"
                "CREATE TABLE floor_log (id serial PRIMARY KEY, case_id int, status int)"
            )
        server = start_gunicorn("bench.api_floor:application", args.port, {**os.environ})
        deliver(args.port, "-", 200, args.clients, prefix="W")  # as bench.api_intake warms up
        statuses, elapsed = deliver(args.port, "-", args.cases, args.clients)
        print(
            f"floor (bare WSGI + psycopg under gunicorn 2 sync workers, {args.clients} clients): "
            f"{statuses.count(201)} of {len(statuses)} in {elapsed:.1f} s = "
            f"{statuses.count(201) / elapsed:.0f} cases/s; load average {os.getloadavg()[0]:.2f}"
        )
    finally:
        stop(server)
        drop_database(URL)


if __name__ == "__main__":
    main()
