"""Typed errors raised by services; views map them to a flash message or an HTTP status."""

from __future__ import annotations

from app.domain.errors import DomainError


class OutOfScopeError(DomainError):
    """The record belongs to a branch outside the actor's scope (HTTP 403 / 404)."""


class DuplicateRecordError(DomainError):
    """A unique code or name is already taken."""


class RecordInUseError(DomainError):
    """The record still has users or records attached and cannot be deleted."""


class InvalidRecordError(DomainError):
    """Input that breaks a rule the form could not check on its own."""


class PermissionDeniedError(DomainError):
    """The actor's role may not do this (HTTP 403)."""


class ConflictError(DomainError):
    """Someone else changed the record first; nothing of this request was saved (HTTP 409)."""
