"""common/storage.py's Store: a service with two stores (routing's applications and accounts) opens
one client for both, on its one database, and closes it once."""
from types import SimpleNamespace

from common.storage import Store
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
