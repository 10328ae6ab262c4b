"""Fixtures: a fresh database per test (copied from a migrated, seeded template), clients that
sign in as any demo user, and helpers for CSRF tokens.

Set ``SUQIU_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test`` to run the
suite on PostgreSQL: each test then gets its own database cloned from a template database.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

os.environ.setdefault("SUQIU_INSTANCE_PATH", "/nonexistent-suqiu-test-instance")

TEST_PASSWORD = "Test#Pass2026"
PG_URL = os.environ.get("SUQIU_TEST_DATABASE_URL", "")
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "RATELIMIT_ENABLED": False,
    "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast sign-ins in tests only
}


# The tests never survive a server crash: PostgreSQL need not wait for the disk at each commit.
PG_TEST_ENGINE_OPTIONS = {
    "pool_pre_ping": True,
    "connect_args": {"options": "-c synchronous_commit=off"},
}


def make_app(database_url: str, instance: Path, **overrides):
    from app import create_app

    config = {
        **TEST_CONFIG,
        **(
            {"SQLALCHEMY_ENGINE_OPTIONS": PG_TEST_ENGINE_OPTIONS}
            if database_url.startswith("postgresql")
            else {}
        ),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SUQIU_INSTANCE_PATH": str(instance),
        "UPLOAD_FOLDER": str(instance / "uploads"),
        **overrides,
    }
    return create_app(config)


def _seed(app) -> None:
    from flask_migrate import upgrade

    from app.demo import seed_demo
    from app.extensions import db
    from app.security.sync import sync_roles
    from app.seed import seed_reference_data

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        sync_roles(app.appbuilder)
        seed_reference_data(db.session)
        seed_demo(app.appbuilder.sm, db.session, TEST_PASSWORD)
        db.session.remove()
        db.engine.dispose()


def _pg_admin_url(url: str, database: str = "postgres") -> str:
    return url.rsplit("/", 1)[0] + "/" + database


def _pg_execute(sql: str) -> None:
    import psycopg

    dsn = _pg_admin_url(PG_URL).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """A migrated database with master data and the demo accounts, built once per run."""
    instance = tmp_path_factory.mktemp("template-instance")
    if PG_URL:
        name = f"suqiu_tpl_{os.getpid()}"
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}"')
        _pg_execute(f'CREATE DATABASE "{name}"')
        app = make_app(_pg_admin_url(PG_URL, name), instance)
        _seed(app)
        yield ("postgresql", name)
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = instance / "template.db"
        app = make_app(f"sqlite:///{path}", instance)
        _seed(app)
        yield ("sqlite", path)


class _PgClones:
    """Each test's PostgreSQL database, cloned from its template one test ahead in a background
    thread (a clone costs ~130 ms, 3-4 minutes of the suite): a test waits only for the drop of
    its predecessor's database and the rename of the clone made while that test ran. The next
    test is expected to start from the same template as this one (a module's tests run
    together); when it does not, its clone is made there and then."""

    def __init__(self, template: str, work: str):
        self.work, self.spare = work, f"{work}_next"
        self._spare_from: str | None = None
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._ready: Future = self._pool.submit(self._clone, template)

    def _clone(self, template: str) -> None:
        self._spare_from = None
        _pg_execute(f'DROP DATABASE IF EXISTS "{self.spare}" WITH (FORCE)')
        _pg_execute(f'CREATE DATABASE "{self.spare}" TEMPLATE "{template}"')
        self._spare_from = template

    def idle(self) -> None:
        """Wait for the clone under way (before a template is dropped); a failed one is made
        again when needed."""
        try:
            self._ready.result()
        except Exception:  # noqa: BLE001 - fresh() clones again
            self._spare_from = None

    def fresh(self, template: str) -> None:
        self.idle()
        if self._spare_from != template:
            self._clone(template)
        _pg_execute(f'DROP DATABASE IF EXISTS "{self.work}" WITH (FORCE)')
        _pg_execute(f'ALTER DATABASE "{self.spare}" RENAME TO "{self.work}"')
        self._spare_from = None
        self._ready = self._pool.submit(self._clone, template)

    def close(self) -> None:
        self.idle()
        self._pool.shutdown()
        for name in (self.spare, self.work):
            _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_clones(template_database, _apps):
    kind, source = template_database
    if kind != "postgresql":
        yield None
        return
    clones = _PgClones(source, _apps[0].rsplit("/", 1)[1])
    yield clones
    _dispose(_apps[1], _apps[2])
    clones.close()


@pytest.fixture(scope="session")
def _apps(template_database, tmp_path_factory):
    """One application for the whole run (creating one costs ~0.4 s) and a second one whose
    session the tests use to look at the database: the test's own application context must not
    be shared with the requests of the test clients (flask-login caches the user on ``g``)."""
    kind, source = template_database
    instance = tmp_path_factory.mktemp("instance")
    if kind == "sqlite":
        url = f"sqlite:///{instance / 'suqiu.db'}"
    else:
        url = _pg_admin_url(PG_URL, f"suqiu_work_{os.getpid()}")
    return url, make_app(url, instance), make_app(url, instance)


def _dispose(*apps) -> None:
    from app.extensions import db

    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def database_url(template_database, _apps, _pg_clones):
    """A fresh copy of the template database for each test, at the URL the shared apps use."""
    kind, source = template_database
    url, application, inspector = _apps
    _dispose(application, inspector)
    if kind == "sqlite":
        target = Path(url[len("sqlite:///") :])
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
    else:
        _pg_clones.fresh(source)
    yield url
    _dispose(application, inspector)


@pytest.fixture
def extra_app(database_url, tmp_path):
    """``extra_app(**config)``: an application with other settings on the test's database,
    closed after the test (an open SQLite connection must not outlive its database file)."""
    created = []

    def _make(**overrides):
        created.append(make_app(database_url, tmp_path, **overrides))
        return created[-1]

    yield _make
    _dispose(*created)


@pytest.fixture
def app(_apps, database_url):
    return _apps[1]


@pytest.fixture
def db_session(_apps, database_url):
    from app.extensions import db

    # A request context: messages render in Chinese, as users see them.
    with _apps[2].test_request_context():
        yield db.session
        db.session.remove()


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, username: str, password: str = TEST_PASSWORD):
    token = csrf_token(client, "/login/")
    response = client.post(
        "/login/", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, f"login of {username} failed"
    return client


@pytest.fixture
def login_as(app):
    """``login_as("liaison_hankou")`` returns a test client signed in as that demo user."""

    def _login(username: str):
        return login(app.test_client(), username)

    return _login


def pytest_sessionfinish(session, exitstatus):
    """CI sets SUQIU_FORBID_SKIPS=1: there, every dependency is installed and a skip is a bug."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("SUQIU_FORBID_SKIPS") == "1" and skipped and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"{skipped} tests were skipped but SUQIU_FORBID_SKIPS=1", red=True)
