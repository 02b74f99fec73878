"""End-to-end: HTTP against the running system (real processes, real RabbitMQ)."""
import uuid

import pytest
import requests

from tests.support.broker import temporary_vhost
from tests.support.private_broker import broker_or_skip
from tests.support.processes import RunningSystem
from tests.support.samples import application_body  # noqa: F401  (the e2e tests import it from here)
from tests.support.staff_client import StaffApi


@pytest.fixture
def api(running_system):
    class Api:
        url = running_system.url

        def submit(self, body, headers=None):
            return requests.post(self.url + "/api/v1/applications", json=body, headers=headers, timeout=15)

        def track(self, application_no, tracking_code, **params):
            return requests.get("{}/api/v1/applications/{}".format(self.url, application_no),
                                params=dict(params, tracking_code=tracking_code), timeout=15)

    return Api()


@pytest.fixture
def idempotency_key():
    return uuid.uuid4().hex


@pytest.fixture(scope="module")
def staff(running_system):
    """The staff API of the session's system; it logs each officer in once per module."""
    return StaffApi(running_system.url)


@pytest.fixture
def own_vhost():
    """Not the session's: its running system would consume this system's events."""
    with temporary_vhost() as uri:
        yield uri


@pytest.fixture
def broker(tmp_path):
    """A RabbitMQ node of the test's own (tests/support/private_broker.py), for tests that stop it,
    kill it or raise its alarms; the machine's shared broker is never touched."""
    with broker_or_skip(tmp_path / "rabbitmq") as broker:
        yield broker


@pytest.fixture
def broker_system(broker, tmp_path):
    """The whole system on ``broker``."""
    system = RunningSystem(broker.amqp_uri, tmp_path / "system").start()
    try:
        yield system
    finally:
        system.stop()
