"""Fixtures the gateway tests share: every service answering the readiness probe; an event
publisher that records what it would publish."""
import pytest

from tests.support.fake_events import FakeEventPublisher
from tests.support.fake_rpc import FakeRpcPool


@pytest.fixture
def events():
    return FakeEventPublisher()


@pytest.fixture
def readiness():
    """The pool `/readyz` asks: every service answers its ``ping``."""
    return FakeRpcPool(**{"{}.ping".format(service): {"service": service, "ok": True}
                          for service in ("intake", "routing", "notification", "tracking")})
