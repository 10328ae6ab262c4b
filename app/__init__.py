"""诉求管理平台: ``create_app`` is the only entry point."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.services.private_files import make_private, private_dir
from config import TIME_ZONE, build_config

SECRET_FILE = "secret_key"  # noqa: S105  (a file name)


class MissingSecretKeyError(RuntimeError):
    pass


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: the file readable by the service user only (before WAL files are made, which
    inherit its mode), write-ahead log for concurrent readers, enforced foreign keys, patient
    locks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        for _seq, name, path in cursor.execute("PRAGMA database_list").fetchall():
            if name == "main" and path:  # not for in-memory databases
                make_private(path)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _use_shanghai_time() -> None:
    # FAB stamps created_on/changed_on with naive datetime.now(): make that Shanghai time too.
    os.environ["TZ"] = TIME_ZONE
    if hasattr(time, "tzset"):
        time.tzset()


MIN_SECRET_LENGTH = 32


def _secret_key(app: Flask, require_secret: bool) -> str:
    configured = app.config.get("SECRET_KEY")
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:  # it also signs the API's JWTs (HMAC-SHA256)
            raise MissingSecretKeyError(
                f"SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} random characters."
            )
        return configured
    stored = Path(app.instance_path) / SECRET_FILE
    if stored.exists():
        return stored.read_text().strip()
    if require_secret:
        raise MissingSecretKeyError(
            "SECRET_KEY is not set: export SECRET_KEY (a long random string) before serving."
        )
    return os.urandom(32).hex()  # management commands only: no session outlives them


def create_app(overrides: dict | None = None, *, require_secret: bool = True) -> Flask:
    _use_shanghai_time()
    config = build_config(overrides)
    app = Flask(__name__, instance_path=config["SUQIU_INSTANCE_PATH"])
    app.config.update(config)
    app.config["SECRET_KEY"] = _secret_key(app, require_secret)

    from app import models  # noqa: F401  (register every table before FAB starts)
    from app.extensions import csrf, db, migrate
    from app.security.headers import register_security_headers
    from app.security.passwords import check_password_policy
    from app.views import register_views
    from app.views.jinja import register_template_helpers

    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = check_password_policy
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        private_dir(Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]).parent)
    if app.config["SUQIU_TRUSTED_PROXIES"]:
        # Behind N reverse proxies the client's address is the Nth from the right of
        # X-Forwarded-For; without proxies configured the header is ignored (it is forgeable).
        proxies = app.config["SUQIU_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    from app import locale
    from app.services import reference_data

    reference_data.install()  # every flush writing reference data changes its version
    with app.app_context():
        db.init_app(app)
        migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
        csrf.init_app(app)  # before FAB, so FAB exempts its JWT API blueprints
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        locale.install(app)
        register_views(appbuilder)
        register_template_helpers(app)
        register_security_headers(app)
    return app
