import pytest

from common.kept_connection import open_prepared, release_quietly


class Unreleasable:
    def release(self):
        raise OSError("connection reset by peer")


def test_the_connection_comes_with_what_was_prepared_on_it():
    connection, channel = open_prepared("memory://", lambda opened: opened.channel())
    try:
        assert channel.connection.client is connection
    finally:
        connection.release()


def test_a_connection_whose_preparation_fails_is_released(monkeypatch):
    released = []

    def fail(connection):
        monkeypatch.setattr(connection, "release", lambda: released.append(connection))
        raise OSError("channel refused")

    with pytest.raises(OSError, match="channel refused"):
        open_prepared("memory://", fail)
    assert len(released) == 1


def test_releasing_a_broken_connection_raises_nothing():
    release_quietly(Unreleasable())
    release_quietly(None)
