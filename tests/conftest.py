"""Fixtures shared by the tiers: the private vhost and the running system (real processes)."""
import pytest

from tests.support import mongomock_compat
from tests.support.broker import temporary_vhost
from tests.support.processes import RunningSystem

mongomock_compat.install()


@pytest.fixture(scope="session")
def amqp_uri():
    with temporary_vhost() as uri:
        yield uri


@pytest.fixture(scope="session")
def running_system(amqp_uri, tmp_path_factory):
    """One whole system for the session; tests tell their records apart by application number."""
    system = RunningSystem(amqp_uri, tmp_path_factory.mktemp("system"))
    try:
        yield system.start()
    finally:
        system.stop()
