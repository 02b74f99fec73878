"""Fixtures the notification tests share: notification's store on the in-memory database, the
service over it, and a receiver for the providers' delivery-report callbacks."""
import pytest
from nameko.testing.services import worker_factory

from services.notification.service import NotificationService
from services.notification.store import NotificationStore
from tests.fakes.callback_sink import CallbackSink
from tests.support.fake_relay import FakeRelay


@pytest.fixture
def store(mongo_db):
    """Notification's store with its indexes, so its unique keys are enforced as in production."""
    store = NotificationStore(mongo_db)
    store.create_indexes()
    return store


@pytest.fixture
def kick_counter():
    """Stands in for the dispatcher's ``HandingOver``: it records the messages handed over but
    leases none, so they are written queued and a test's own dispatcher claims them from the store
    (test_sms_hand_over.py hands messages to a real one)."""
    return FakeRelay(leasing=dict)


@pytest.fixture
def notification(store, kick_counter):
    """The service's worker over ``store``; ``kick_counter`` stands in for its dispatcher's kick."""
    return worker_factory(NotificationService, messages=store, send_queued_sms=kick_counter)


@pytest.fixture
def sink():
    """A local HTTP server that records the delivery-report callbacks a fake provider makes."""
    with CallbackSink() as receiver:
        yield receiver
