"""Fixtures the intake tests share: intake's store on the in-memory database, and a worker on it."""
import pytest

from services.intake.store import IntakeStore
from tests.support.samples import intake_worker


@pytest.fixture
def store(mongo_db):
    """Intake's store with its indexes, so unique numbers and codes are enforced as in production."""
    store = IntakeStore(mongo_db)
    store.create_indexes()
    return store


@pytest.fixture
def intake(store, kick_counter):
    """An intake worker on ``store``; its relay only counts kicks."""
    return intake_worker(applications=store, publish_owed_events=kick_counter)
