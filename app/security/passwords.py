"""Password policy, applied to the web forms and to every command that sets a password."""

from __future__ import annotations

import re

from flask_appbuilder.exceptions import PasswordComplexityValidationError

from app.domain.i18n import _l

MIN_LENGTH = 10


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password or "") < MIN_LENGTH:
        problems.append(str(_l("at least %(n)d characters")) % {"n": MIN_LENGTH})
    if not re.search(r"[A-Z]", password or ""):
        problems.append(str(_l("an upper-case letter")))
    if not re.search(r"[a-z]", password or ""):
        problems.append(str(_l("a lower-case letter")))
    if not re.search(r"\d", password or ""):
        problems.append(str(_l("a digit")))
    if not re.search(r"[^A-Za-z0-9]", password or ""):
        problems.append(str(_l("a symbol")))
    return problems


def check_password_policy(password: str) -> None:
    """Raise FAB's complexity error (shown on the form) with a Chinese explanation."""
    problems = password_problems(password)
    if problems:
        raise PasswordComplexityValidationError(
            str(_l("The password must contain %(what)s.")) % {"what": "、".join(problems)}
        )
