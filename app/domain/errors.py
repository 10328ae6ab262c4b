"""Typed domain errors whose messages are lazy Chinese strings (msgids in English)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation; ``str(err)`` is the message shown to the user."""

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(str(message))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class InvalidPhoneError(DomainError):
    pass


class BranchCycleError(DomainError):
    pass
