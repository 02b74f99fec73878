"""Data at rest (issue 16): ``config.make_files_private`` — the umask every service and the gateway
set before writing, and DATA_DIR narrowed to 0700 — and the services' ``Store`` calling it."""
import os
from types import SimpleNamespace

import pytest

from common import config
from common.storage import Store
from services.tracking.store import TrackingStore


@pytest.fixture(autouse=True)
def restored_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_new_files_and_directories_are_the_owners_only_and_data_dir_is_narrowed(tmp_path, monkeypatch):
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    os.chmod(data_dir, 0o755)  # as `mkdir -p $(DATA_DIR)` leaves it
    monkeypatch.setenv("DATA_DIR", str(data_dir))

    config.make_files_private()

    assert oct(data_dir.stat().st_mode & 0o777) == "0o700"
    (data_dir / "sms-log.jsonl").write_text("{}\n")
    (data_dir / "dead-letters").mkdir()
    assert oct((data_dir / "sms-log.jsonl").stat().st_mode & 0o777) == "0o600"
    assert oct((data_dir / "dead-letters").stat().st_mode & 0o777) == "0o700"


def test_a_data_dir_not_made_yet_is_left_to_whoever_writes_first(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "not-yet"))

    config.make_files_private()

    assert not (tmp_path / "not-yet").exists()
    assert os.umask(0o077) == config.PRIVATE_UMASK


def test_every_services_store_makes_files_private_before_it_opens_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MONGO_URI", raising=False)
    store = Store(TrackingStore)
    store.container = SimpleNamespace(service_name="tracking", config={})

    store.setup()

    assert os.umask(0o022) == config.PRIVATE_UMASK
    assert {path.name: oct(path.stat().st_mode & 0o777) for path in tmp_path.iterdir()} == {
        "tracking.db": "0o600", "tracking.db-wal": "0o600", "tracking.db-shm": "0o600"}
    store.stop()
