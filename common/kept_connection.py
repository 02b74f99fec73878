"""A broker connection a publisher keeps between messages (common/reply_publisher.py,
common/confirmed_publisher.py): opened with what the publisher needs on it, dropped quietly when
it breaks, and opened again for the next message."""
from collections.abc import Callable
from typing import Any, TypeVar

from kombu import Connection

Prepared = TypeVar("Prepared")


def open_prepared(amqp_uri: str, prepare: Callable[[Any], Prepared], **options: Any) -> tuple[Any, Prepared]:
    """A new kombu ``Connection`` to ``amqp_uri`` and what ``prepare(connection)`` makes on it (a
    producer on a channel, say); the connection is released if ``prepare`` fails."""
    connection = Connection(amqp_uri, **options)
    try:
        return connection, prepare(connection)
    except BaseException:
        connection.release()
        raise


def release_quietly(connection: Any) -> None:
    """Releases a kept connection that may be broken already (then there is nothing to release)."""
    if connection is None:
        return
    try:
        connection.release()
    except Exception:  # already broken
        pass
