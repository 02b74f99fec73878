"""Fixtures the intake tests share: intake's store on the in-memory database."""
import pytest

from services.intake.store import IntakeStore


@pytest.fixture
def store(mongo_db):
    """Intake's store with its indexes, so unique numbers and codes are enforced as in production."""
    store = IntakeStore(mongo_db)
    store.create_indexes()
    return store
