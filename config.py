"""Portal configuration, read from environment variables (prefix ``SUQIU_`` where it is ours).

``create_app`` builds the configuration from the environment; tests pass overrides. Nothing
secret lives here: ``SECRET_KEY`` comes from the environment, except in the demo (kept in the
instance folder) and in tests.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

TIME_ZONE = "Asia/Shanghai"


def instance_path() -> Path:
    return Path(os.environ.get("SUQIU_INSTANCE_PATH", "./instance")).resolve()


def default_database_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'suqiu.db'}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common ``postgres://`` forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_config(overrides: dict | None = None) -> dict:
    instance = instance_path()
    cfg: dict = {
        "APP_NAME": "诉求管理平台",
        # The company's name beside the portal's in the navigation bar and on the sign-in page.
        "SUQIU_COMPANY_NAME": os.environ.get("SUQIU_COMPANY_NAME", "").strip() or "城市燃气集团",
        "APP_THEME": "",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url(instance)
        ),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SUQIU_INSTANCE_PATH": str(instance),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        # Alembic owns every table; roles and permissions come from `suqiu init`.
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_ADD_SECURITY_PERMISSION_VIEW": False,
        "FAB_ADD_SECURITY_VIEW_MENU_VIEW": False,
        "FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW": False,
        "FAB_ADD_SECURITY_API": False,
        "FAB_SECURITY_MANAGER_CLASS": "app.security.manager.SuqiuSecurityManager",
        "FAB_INDEX_VIEW": "app.views.home.HomeView",
        "FAB_API_SWAGGER_UI": False,
        "AUTH_TYPE": AUTH_DB,
        "AUTH_ROLE_ADMIN": "系统管理员",
        "AUTH_ROLE_PUBLIC": "匿名访客",
        "AUTH_USER_REGISTRATION": False,
        "AUTH_RATE_LIMITED": True,
        # Failed sign-ins only (issue 6 #17): per account, and per client address.
        "AUTH_RATE_LIMIT": os.environ.get("SUQIU_LOGIN_RATE_LIMIT", "5 per minute"),
        "SUQIU_LOGIN_ADDRESS_RATE_LIMIT": os.environ.get(
            "SUQIU_LOGIN_ADDRESS_RATE_LIMIT", "20 per minute"
        ),
        # Reverse proxies in front of the portal whose X-Forwarded-For is trusted (0: none).
        "SUQIU_TRUSTED_PROXIES": int(os.environ.get("SUQIU_TRUSTED_PROXIES", "0")),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": os.environ.get("SUQIU_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_PASSWORD_COMPLEXITY_VALIDATOR": "app.security.passwords.check_password_policy",
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": TIME_ZONE,
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "app" / "translations"),
        "LANGUAGES": {"zh": {"flag": "cn", "name": "简体中文"}},
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SUQIU_SECURE_COOKIES", "1") != "0",
        "REMEMBER_COOKIE_SECURE": os.environ.get("SUQIU_SECURE_COOKIES", "1") != "0",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "MAX_CONTENT_LENGTH": int(os.environ.get("SUQIU_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "SUQIU_SPOT_CHECK_RATE": os.environ.get("SUQIU_SPOT_CHECK_RATE", "10"),  # percent
        # Art.20: least time between two 联系不上 attempts on one case.
        "SUQIU_CALLBACK_RETRY_MINUTES": int(os.environ.get("SUQIU_CALLBACK_RETRY_MINUTES", "120")),
        # Issue 12: read notifications older than this many days leave the inbox for the archive
        # (`suqiu archive-notifications`); checked when read (app.services.settings).
        "SUQIU_NOTIFICATION_ARCHIVE_DAYS": os.environ.get("SUQIU_NOTIFICATION_ARCHIVE_DAYS", "90"),
        # 重复诉求 (issue 11): how far back registration looks for the caller's open cases.
        "SUQIU_REPEAT_WINDOW_DAYS": os.environ.get("SUQIU_REPEAT_WINDOW_DAYS", "30"),
        "SUQIU_MAX_ATTACHMENT_BYTES": int(os.environ.get("SUQIU_MAX_ATTACHMENT_MB", "10"))
        * 1024
        * 1024,
        # The case import's workbooks (app.services.case_imports), below MAX_CONTENT_LENGTH.
        "SUQIU_IMPORT_MAX_BYTES": int(os.environ.get("SUQIU_IMPORT_MAX_MB", "10")) * 1024 * 1024,
        "FAB_API_MAX_PAGE_SIZE": 100,
    }
    if overrides:
        cfg.update(overrides)
    return cfg
