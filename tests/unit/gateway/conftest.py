"""Fixtures the gateway tests share: every service answering the readiness probe."""
import pytest

from tests.support.fake_rpc import FakeRpcPool


@pytest.fixture
def readiness():
    """The pool `/readyz` asks: every service answers its ``ping``."""
    return FakeRpcPool(**{"{}.ping".format(service): {"service": service, "ok": True}
                          for service in ("intake", "routing", "notification", "tracking")})
