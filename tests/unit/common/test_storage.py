"""common/storage.py: a service with two stores (routing's applications and accounts) opens one
client for both, on its one database, and closes it once; the batch insert's helpers."""
from types import SimpleNamespace

import pytest
from pymongo.errors import BulkWriteError

from common.storage import Store, duplicates_in, insert_all_new
from services.routing.accounts_store import AccountsStore
from services.routing.store import RoutingStore


def started_stores(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MONGO_URI", raising=False)
    applications, accounts = Store(RoutingStore), Store(AccountsStore)
    container = SimpleNamespace(service_name="routing", config={}, dependencies=[applications, accounts])
    for store in (applications, accounts):
        store.container = container
        store.setup()
    return applications, accounts


def test_two_stores_of_a_service_share_one_client_and_one_database(tmp_path, monkeypatch):
    applications, accounts = started_stores(tmp_path, monkeypatch)

    assert accounts.client is applications.client
    assert (applications.owns_client, accounts.owns_client) == (True, False)
    accounts.store.insert_staff({"_id": "ankara.router", "province_code": "06"})
    assert applications.client.get_database("routing").get_collection("staff").count_documents({}) == 1
    assert sorted(path.name for path in tmp_path.glob("*.db")) == ["routing.db"]
    accounts.stop()
    applications.stop()


def test_only_the_store_that_opened_the_client_closes_it(tmp_path, monkeypatch):
    applications, accounts = started_stores(tmp_path, monkeypatch)
    client, closed = applications.client, []
    close = client.close
    client.close = lambda: closed.append(True)

    accounts.stop()
    assert closed == []
    applications.stop()
    assert closed == [True]
    close()


def test_insert_all_new_returns_the_documents_inserted_and_leaves_out_those_a_unique_key_refused(
        database_on_each_engine):
    things = database_on_each_engine.get_collection("things")
    things.create_index("key", unique=True)
    things.insert_one({"_id": 1, "key": "a"})
    documents = [{"_id": 2, "key": "a"}, {"_id": 3, "key": "b"}, {"_id": 1, "key": "c"}, {"_id": 4, "key": "d"}]

    inserted = insert_all_new(things, documents)

    assert [document["_id"] for document in inserted] == [3, 4]
    assert sorted(document["_id"] for document in things.find()) == [1, 3, 4]
    assert insert_all_new(things, []) == []


def test_duplicates_in_raises_a_bulk_error_that_is_not_only_duplicates():
    error = BulkWriteError({"writeErrors": [{"index": 0, "code": 11000}, {"index": 1, "code": 14}]})

    with pytest.raises(BulkWriteError):
        duplicates_in(error)
