"""Typed environment errors: things that go wrong around the program, shown as Vietnamese advice."""

from __future__ import annotations


class KnownError(Exception):
    """An environment or input problem the user can act on; not a bug.

    ``str(error)`` is the Vietnamese message for the user, ``hint`` what to do next.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_text(self) -> str:
        """Message and hint as shown to the user."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class InputError(KnownError):
    """The user gave something the program cannot accept (bad date, unknown code...)."""


class DatabaseUnavailable(KnownError):
    """The database server cannot be reached or refused the connection."""


class DatabaseSchemaError(KnownError):
    """The database belongs to a newer program version or is not ours."""


class SecretStoreUnavailable(KnownError):
    """No usable OS keyring backend to read or store a secret."""


class NotFound(KnownError):
    """A thing the user named does not exist."""


class AuthenticationFailed(KnownError):
    """Wrong login name or password, or the account is locked."""


class AccessDenied(KnownError):
    """The account is genuine but its role may not do this (a reception account at the admin)."""


class Conflict(KnownError):
    """The action does not fit the current state (ticket already called, ...)."""


class ConstraintViolation(Conflict):
    """Saving broke a rule the database keeps (mapped from the driver's integrity error)."""


class DuplicateRecord(ConstraintViolation):
    """Saving would repeat something that must be unique (a code, a number, a login name)."""


class BrokenReference(ConstraintViolation):
    """Saving refers to something no longer in the database, or removes something still used."""
