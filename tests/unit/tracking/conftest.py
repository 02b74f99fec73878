"""Fixtures the tracking tests share: tracking's store on the in-memory database."""
import pytest

from services.tracking.store import TrackingStore


@pytest.fixture
def store(mongo_db):
    """Tracking's store with its indexes, so its unique keys are enforced as in production."""
    store = TrackingStore(mongo_db)
    store.create_indexes()
    return store
