"""Errors that cross the RPC boundary as themselves.

nameko re-raises an exception registered with ``deserialize_to_instance`` on
the caller's side as the same class, built from its ``args``; every other
exception arrives as ``RemoteError``. The gateway maps these classes to HTTP
in one table (gateway/errors.py), so a service raises the meaning, never a
status code.
"""
from typing import TypeVar

from nameko.exceptions import deserialize_to_instance as _register_with_nameko

_Error = TypeVar("_Error", bound=type[Exception])


def deserialize_to_instance(cls: _Error) -> _Error:
    """nameko's decorator of that name (it registers ``cls`` and returns it), with the type hints
    nameko lacks, so the classes below stay typed for their callers."""
    _register_with_nameko(cls)
    return cls


class AppError(Exception):
    """Base for errors a client caused; ``args`` must stay JSON-serialisable."""


@deserialize_to_instance
class ValidationFailed(AppError):
    """The request breaks one or more field rules.

    ``fields`` maps a field path (``applicant.phone``) to why it was refused,
    Turkish first, English after a slash.
    """

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = dict(fields)


@deserialize_to_instance
class NotFound(AppError):
    """Nothing the caller may see answers to that key (unknown, or outside the caller's scope)."""


@deserialize_to_instance
class Unauthorized(AppError):
    """Unknown user, wrong password, or a bad token: deliberately not saying which."""


@deserialize_to_instance
class NotAllowed(AppError):
    """The caller is known (or not required) but may not do this: e.g. a callback whose signature fails."""


@deserialize_to_instance
class Conflict(AppError):
    """The request contradicts the state it acts on.

    ``code`` is snake_case for clients; ``message`` says why, Turkish first,
    English after a slash.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


@deserialize_to_instance
class Forbidden(NotAllowed):
    """The caller's role may not do this particular thing, said with a ``code`` for clients and a
    ``message`` (Turkish first, English after a slash): e.g. a unit officer searching by national ID.
    A NotAllowed, so it is a 403 wherever NotAllowed is."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


@deserialize_to_instance
class OutsideServiceUnavailable(AppError):
    """A service outside the system that a request needs (the population registry) cannot be asked
    now: nothing was stored; the client should try again later. ``code`` and ``message`` as for Conflict."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
