"""The embedded store's files after an erasure (issue 16): what was deleted or overwritten is in
none of them (the database file, its write-ahead log, its shared-memory index) once
``purge_erased`` has run, now or, when another connection is in the way, in the background; files
are their owner's only; a file written before deletes were secure is cleaned once on open."""
import os
import sqlite3
import time

import pytest

from docstore import EmbeddedClient, purge
from tests.support.files_on_disk import holding


def national_id(number):
    return "1{:010d}".format(number)


def phone(number):
    return "+90532{:07d}".format(number)


@pytest.fixture
def applications(tmp_path):
    """300 stored applicants, every other one's document longer than a page (overflow pages)."""
    client = EmbeddedClient(str(tmp_path / "store" / "intake.db"))
    collection = client.intake.applications
    collection.create_index("applicant.national_id")
    collection.create_index("applicant.phone")
    for number in range(300):
        collection.insert_one({"_id": number, "applicant": {"national_id": national_id(number), "phone": phone(number)},
                               "description": "söz " * (2000 if number % 2 else 50)})
    yield client, collection, tmp_path / "store"
    client.close()


def test_erased_values_leave_every_file_and_the_others_stay(applications):
    client, collection, directory = applications
    collection.update_one({"_id": 7}, {"$set": {"applicant": None, "description": None}})
    collection.update_one({"_id": 10}, {"$set": {"applicant": None, "description": None}})
    collection.delete_one({"_id": 11})
    collection.update_many({}, {"$set": {"touched": True}})  # moves every row: old cells freed
    erased = [national_id(7), phone(7), national_id(10), phone(10), national_id(11), phone(11)]
    assert all(holding(directory, value) for value in erased)  # the log holds them before the purge

    assert client.purge_erased() is True

    assert {value: holding(directory, value) for value in erased} == {value: set() for value in erased}
    assert os.path.getsize(directory / "intake.db-wal") == 0
    assert holding(directory, national_id(9)) == {"intake.db"} and holding(directory, phone(8)) == {"intake.db"}
    assert collection.count_documents({}) == 299 and collection.find_one({"_id": 9})["applicant"]["phone"] == phone(9)


def test_secure_delete_zeroes_deleted_content_inside_the_file_itself(applications):
    """A checkpoint alone copies pages into the file; without secure_delete their free space
    would still hold the deleted document."""
    client, collection, directory = applications
    client.purge_erased()
    assert holding(directory, national_id(12)) == {"intake.db"}
    collection.delete_one({"_id": 12})
    client.purge_erased()
    assert holding(directory, national_id(12)) == set()
    assert holding(directory, "söz " * 40) == {"intake.db"}


def test_a_reader_of_another_connection_delays_the_purge_which_finishes_in_the_background(
        applications, monkeypatch):
    monkeypatch.setattr(purge, "RETRY_SECONDS", 0.05)
    client, collection, directory = applications
    reader = sqlite3.connect(str(directory / "intake.db"), isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # holds a snapshot, as another process may
    collection.update_one({"_id": 7}, {"$set": {"applicant": None}})

    started = time.monotonic()
    assert client.purge_erased() is False
    assert time.monotonic() - started < 1  # a short wait, not the store's 10 s busy timeout
    assert client._purger.pending() and holding(directory, national_id(7))

    reader.execute("COMMIT")
    reader.close()
    deadline = time.monotonic() + 5
    while client._purger.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not client._purger.pending()
    assert holding(directory, national_id(7)) == set() and holding(directory, phone(7)) == set()


def test_store_files_and_the_directories_made_for_them_are_the_owners_only(tmp_path):
    previous = os.umask(0o022)
    try:
        client = EmbeddedClient(str(tmp_path / "new" / "deeper" / "s.db"))
        client.s.c.insert_one({"_id": 1})
        assert {name: oct(os.stat(tmp_path / "new" / "deeper" / name).st_mode & 0o777)
                for name in os.listdir(tmp_path / "new" / "deeper")} == {
            "s.db": "0o600", "s.db-wal": "0o600", "s.db-shm": "0o600"}
        assert oct(os.stat(tmp_path / "new").st_mode & 0o777) == "0o700"
        assert oct(os.stat(tmp_path / "new" / "deeper").st_mode & 0o777) == "0o700"
        client.close()

        for name in ("s.db", "s.db-wal", "s.db-shm"):  # written by an earlier version, or by hand
            if (tmp_path / "new" / "deeper" / name).exists():
                os.chmod(tmp_path / "new" / "deeper" / name, 0o644)
        EmbeddedClient(str(tmp_path / "new" / "deeper" / "s.db")).s.c.find_one({})
        assert {oct(os.stat(tmp_path / "new" / "deeper" / name).st_mode & 0o777)
                for name in os.listdir(tmp_path / "new" / "deeper")} == {"0o600"}
    finally:
        os.umask(previous)


def test_a_file_written_before_deletes_were_secure_is_vacuumed_once_on_open(tmp_path):
    path = str(tmp_path / "old.db")
    EmbeddedClient(path).old.c.insert_one({"_id": 1, "keep": "kalan-veri"})
    # What an earlier version left: deleted content in free space, and no mark of secure deletes.
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA secure_delete=OFF")
    raw.execute("CREATE TABLE leftovers (value TEXT)")
    raw.executemany("INSERT INTO leftovers VALUES (?)", [("eski-" + national_id(n),) for n in range(50)])
    raw.execute("DELETE FROM leftovers")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.execute("PRAGMA user_version=0")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    assert holding(tmp_path, "eski-" + national_id(3)) == {"old.db"}

    client = EmbeddedClient(path)

    assert holding(tmp_path, "eski-" + national_id(3)) == set()
    assert client.old.c.find_one({"_id": 1})["keep"] == "kalan-veri"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (1,)
