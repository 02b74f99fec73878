"""Internals of the embedded store that the contract suite cannot see: the codec, the
index key order, the URI forms, persistence across reopening, catalog sharing."""
import datetime
import os
import sqlite3

import pytest
from bson import ObjectId
from pymongo.errors import InvalidDocument

from docstore import EmbeddedClient, UnsupportedOperation
from docstore.client import parse_location
from docstore.codec import decode, encode, normalise
from docstore.indexes import sql_key
from docstore.ordering import sort_key

UTC = datetime.UTC


def round_trip(document):
    return decode(encode(normalise(document, top_level=True)))


def test_codec_round_trips_marker_lookalikes_and_turkish_text():
    document = {"a": {"$date": 5}, "b": [{"$oid": "x"}], "c": "İıŞşĞğ", "d": b"\x00\xff",
                "e": datetime.datetime(2024, 1, 1, 12, tzinfo=UTC), "f": ObjectId(), "g": (1, 2)}
    back = round_trip(document)
    assert back == {**document, "g": [1, 2]}
    assert type(back["a"]) is dict and type(back["d"]) is bytes


def test_codec_refuses_what_bson_cannot_hold():
    for bad in ({1: "int key"}, {"a\x00": 1}, {"$top": 1}, {"x": object()}, {"x": 2**70}):
        with pytest.raises((InvalidDocument, OverflowError)):
            normalise(bad, top_level=True)
    with pytest.raises(UnsupportedOperation):
        normalise({"day": datetime.date(2024, 1, 1)})


def test_naive_datetimes_are_taken_as_utc():
    back = round_trip({"at": datetime.datetime(2024, 1, 1, 10, 30, 0, 999)})
    assert back["at"] == datetime.datetime(2024, 1, 1, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize("values", [
    [-5, -1.5, 0, 0.5, 1, 2**40, 3.25],
    ["", "A", "Z", "a", "ç", "ı", "İ", "ş", "ğ", "z"],
    [datetime.datetime(1960, 1, 1, tzinfo=UTC), datetime.datetime(1970, 1, 1, tzinfo=UTC),
     datetime.datetime(2024, 5, 1, tzinfo=UTC)],
    sorted(ObjectId() for _ in range(5)),
])
def test_sqlite_orders_index_keys_as_mongodb_orders_values(values):
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (position INTEGER, k)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", [(i, sql_key(v)) for i, v in enumerate(values)])
    by_sqlite = [row[0] for row in connection.execute("SELECT position FROM t ORDER BY k")]
    by_mongodb = sorted(range(len(values)), key=lambda i: sort_key(values[i]))
    assert by_sqlite == by_mongodb


def test_uri_forms(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert parse_location("sqlite:////abs/dir/x.db") == ("/abs/dir/x.db", {})
    assert parse_location("sqlite:///rel/x.db") == (str(tmp_path / "rel" / "x.db"), {})
    assert parse_location("plain.db") == (str(tmp_path / "plain.db"), {})
    assert parse_location("sqlite:///x.db?synchronous=full")[1] == {"synchronous": "full"}
    client = EmbeddedClient("sqlite:///deep/er/store.db?synchronous=full")
    assert os.path.exists(tmp_path / "deep" / "er" / "store.db")
    assert client._storage.synchronous == "FULL"


def test_the_page_cache_is_set_from_the_uri_or_the_environment(tmp_path, monkeypatch):
    from common import config

    def cache_kib(client):
        with client._storage.transaction(write=False) as connection:
            return -connection.execute("PRAGMA cache_size").fetchone()[0]

    assert cache_kib(EmbeddedClient(f"sqlite:///{tmp_path}/a.db")) == 64 * 1024
    assert cache_kib(EmbeddedClient(f"sqlite:///{tmp_path}/b.db?cache_mib=8")) == 8 * 1024
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MONGO_URI", raising=False)
    monkeypatch.setenv("STORE_CACHE_MIB", "4")
    assert cache_kib(EmbeddedClient(config.mongo_uri("intake"))) == 4 * 1024
    with pytest.raises(ValueError, match="cache_mib"):
        EmbeddedClient(f"sqlite:///{tmp_path}/c.db?cache_mib=0")


def test_data_and_indexes_survive_reopening(tmp_path):
    path = tmp_path / "persist.db"
    with EmbeddedClient(path) as client:
        client.svc.items.create_index("k", unique=True)
        client.svc.items.insert_one({"_id": 1, "k": "a"})
    reopened = EmbeddedClient(path)
    assert reopened.svc.items.find_one({"k": "a"}) == {"_id": 1, "k": "a"}
    assert "k_1" in reopened.svc.items.index_information()
    assert reopened.list_database_names() == ["svc"]


def test_an_index_made_by_another_client_is_maintained(tmp_path):
    path = tmp_path / "shared.db"
    first, second = EmbeddedClient(path), EmbeddedClient(path)
    first.svc.items.insert_one({"_id": 1, "k": "a"})
    assert second.svc.items.find_one({"_id": 1}) is not None  # second has cached the catalog
    first.svc.items.create_index("k", unique=True)
    second.svc.items.insert_one({"_id": 2, "k": "b"})
    assert first.svc.items.find_one({"k": "b"})["_id"] == 2
    with pytest.raises(Exception) as caught:
        second.svc.items.insert_one({"_id": 3, "k": "a"})
    assert type(caught.value).__name__ == "DuplicateKeyError"


def test_unsupported_calls_name_themselves(tmp_path):
    items = EmbeddedClient(tmp_path / "x.db").svc.items
    with pytest.raises(NotImplementedError, match=r"query operator \$where"):
        items.find({"$where": "1"})
    with pytest.raises(NotImplementedError, match=r"aggregate: only \[\$match, \$group\]"):
        items.aggregate([{"$sort": {"a": 1}}])
    with pytest.raises(NotImplementedError, match=r"aggregate: accumulator 'n' \(only \$sum\)"):
        items.aggregate([{"$group": {"_id": "$a", "n": {"$avg": "$b"}}}])
    with pytest.raises(NotImplementedError, match="update operator \\$rename"):
        items.update_one({}, {"$rename": {"a": "b"}})


def test_a_sorted_page_and_a_count_read_only_what_the_index_points_at(tmp_path, monkeypatch):
    """The staff queue's shape (equality on a province, newest first, page of 20; the total) on
    2,000 documents: the page decodes about a page of documents, the count none — as MongoDB's
    index scans would; a sort no index serves still reads them all."""
    from docstore import collection as collection_module

    applications = EmbeddedClient(f"sqlite:///{tmp_path}/store.db").db.applications
    applications.create_index([("province_code", 1), ("received_at", 1)])
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    applications.insert_many([
        {"_id": n, "province_code": "06" if n % 2 else "34", "status": "received",
         "received_at": start + datetime.timedelta(minutes=n)} for n in range(2000)])
    decoded = []
    monkeypatch.setattr(collection_module, "decode", lambda text: decoded.append(1) or decode(text))

    page = list(applications.find({"province_code": "06", "status": "received"})
                .sort("received_at", -1).skip(20).limit(20))
    assert [document["_id"] for document in page] == list(range(1959, 1919, -2))
    assert len(decoded) == 40

    decoded.clear()
    assert applications.count_documents({"province_code": "06"}) == 1000
    assert decoded == []

    decoded.clear()
    list(applications.find({"province_code": "06"}).sort("status", 1).limit(20))
    assert len(decoded) == 1000

    applications.create_index([("status", 1), ("received_at", 1)])
    applications.create_index([("status", 1), ("province_code", 1)])
    decoded.clear()
    late = {"status": {"$in": ["received"]}, "received_at": {"$lt": start + datetime.timedelta(minutes=100)}}
    assert applications.count_documents(late) == 100
    per_province = applications.aggregate([{"$match": {"status": "received"}},
                                           {"$group": {"_id": "$province_code", "n": {"$sum": 1}}}])
    assert sorted((group["_id"], group["n"]) for group in per_province) == [("06", 1000), ("34", 1000)]
    assert decoded == []

    # Two indexes give the order with one pinned field each: the one with fewer rows in range.
    applications.create_index([("unit_id", 1), ("received_at", 1)])
    applications.update_many({"_id": {"$in": [1, 3, 5]}}, {"$set": {"unit_id": "06-health"}})
    decoded.clear()
    unit_page = applications.find({"province_code": "06", "unit_id": "06-health"}).sort("received_at", -1)
    assert [document["_id"] for document in unit_page] == [5, 3, 1]
    assert len(decoded) == 3


def test_a_deep_page_skips_what_the_index_range_holds_without_reading_it(tmp_path, monkeypatch):
    """The staff queue's deep pages (issue 18): when the filter is nothing but equality on the
    fields the index pins, every document in the range matches, so the skipped ones are not
    decoded (SQL OFFSET within the right segment: null and missing first, then numbers and text,
    then other values). The page is the one sorting in memory gives, whatever the skip."""
    from docstore import collection as collection_module
    from docstore import parse_sort, sort_documents

    items = EmbeddedClient(f"sqlite:///{tmp_path}/store.db").db.items
    items.create_index([("province_code", 1), ("status", 1), ("due_at", 1)])
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    due = [None, "missing", 7, 2.5, "text", start + datetime.timedelta(hours=3), start, ObjectId("0" * 24)]
    documents = []
    for n in range(600):
        document = {"_id": n, "province_code": "06" if n % 3 else "34", "status": ("routed", "unrouted")[n % 2]}
        value = due[n % len(due)] if n % 5 == 0 else start + datetime.timedelta(minutes=(n * 37) % 500)
        if value != "missing":
            document["due_at"] = value
        documents.append(document)
    items.insert_many(documents)
    decoded = []
    monkeypatch.setattr(collection_module, "decode", lambda text: decoded.append(1) or decode(text))

    for query in ({"province_code": "06", "status": "routed"},
                  {"province_code": {"$in": ["06", "34"]}, "status": "routed"},
                  {"province_code": "06", "status": {"$in": ["routed", "unrouted"]}}):
        matching = [document for document in documents if all(
            document[field] in (wanted["$in"] if isinstance(wanted, dict) else [wanted])
            for field, wanted in query.items())]
        for direction in (1, -1):
            expected = [document["_id"] for document in sort_documents(matching, parse_sort("due_at", direction))]
            for skip in (0, 1, 19, 20, 57, 120, len(matching) - 3, len(matching), len(matching) + 5):
                decoded.clear()
                cursor = items.find(query).sort("due_at", direction).skip(skip).limit(20)
                page = [document["_id"] for document in cursor]
                assert page == expected[skip:skip + 20], (query, direction, skip)
                assert len(decoded) == len(page), (query, direction, skip)  # the skipped ones unread


def test_a_deep_page_of_a_filter_the_index_does_not_hold_still_reads_what_it_skips(tmp_path, monkeypatch):
    """A condition beyond the pinned fields (here a range) must be checked on each document: the
    skipped ones are read and matched, and the page is still right."""
    from docstore import collection as collection_module

    items = EmbeddedClient(f"sqlite:///{tmp_path}/store.db").db.items
    items.create_index([("province_code", 1), ("due_at", 1)])
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    items.insert_many([{"_id": n, "province_code": "06", "late": n % 2 == 0,
                        "due_at": start + datetime.timedelta(minutes=n)} for n in range(200)])
    decoded = []
    monkeypatch.setattr(collection_module, "decode", lambda text: decoded.append(1) or decode(text))

    page = list(items.find({"province_code": "06", "late": True}).sort("due_at", 1).skip(30).limit(10))

    assert [document["_id"] for document in page] == list(range(60, 80, 2))
    assert len(decoded) == 79  # every document up to the page's last, the unmatched ones too


def test_every_equality_on_an_indexed_array_narrows_what_is_read(tmp_path, monkeypatch):
    """A search needing every one of several words (issue 18: ``{"$and": [{"words": "a"},
    {"words": "b"}]}``) reads only the documents holding all of them: each further equality on a
    pinned field is its own set of index rows, intersected with the plan (each may be met by a
    different element of the array)."""
    from docstore import collection as collection_module
    from docstore import compile_filter

    items = EmbeddedClient(f"sqlite:///{tmp_path}/store.db").db.items
    items.create_index([("province_code", 1), ("words", 1)])
    vocabulary = ["cukur", "yol", "isik", "park", "su", "cop"]
    documents = [{"_id": n, "province_code": "06" if n % 4 else "34",
                  "words": [word for bit, word in enumerate(vocabulary) if n >> bit & 1]} for n in range(256)]
    documents.append({"_id": 999, "province_code": "06"})  # no words at all
    items.insert_many(documents)
    decoded = []
    monkeypatch.setattr(collection_module, "decode", lambda text: decoded.append(1) or decode(text))

    for query in ({"province_code": "06", "$and": [{"words": "cukur"}, {"words": "isik"}]},
                  {"province_code": "06", "$and": [{"words": "cukur"}, {"words": {"$in": ["isik", "park"]}},
                                                    {"words": "cop"}]},
                  {"province_code": {"$in": ["06", "34"]}, "$and": [{"words": "yol"}, {"words": "su"}],
                   "words": {"$regex": "^pa"}},
                  {"province_code": "06", "$and": [{"words": "cukur"}, {"words": {"$in": []}}]},
                  {"province_code": "06", "$and": [{"words": "cukur"}, {"words": "belediye"}]}):
        matches = compile_filter(query)
        expected = sorted(document["_id"] for document in documents if matches(document))
        holding_every_word = compile_filter({key: value for key, value in query.items() if key != "words"})
        candidates = sum(1 for document in documents if holding_every_word(document))
        decoded.clear()

        found = sorted(document["_id"] for document in items.find(query))

        assert found == expected, query
        assert items.count_documents(query) == len(expected)
        assert len(decoded) == 2 * candidates, query  # found, then counted: nothing else read


@pytest.mark.parametrize("candidates", [
    [1, "a"], [1.0], [True], [0, False], ["1", 2.5], list(range(1000)) + ["x"], [float("nan"), 1],
    [None, 3], [ObjectId("0" * 24), "a"], [[1, 2], 1],
])
def test_in_matches_as_the_equalities_it_lists_however_many(candidates):
    """``$in`` of scalars is a set lookup per value (a searched queue asks for a thousand numbers);
    it must match exactly what the equality of each candidate matches: booleans apart from numbers,
    1 as 1.0, elements of arrays, NaN and null by their own rules."""
    from docstore import compile_filter

    values = [1, 1.0, 2.5, 0, True, False, "1", "a", "x", None, float("nan"), [1, "a"], [False], {"x": 1},
              ObjectId("0" * 24), [[1, 2]], [1, 2], 999]
    documents = [{"_id": n, "v": value} for n, value in enumerate(values)] + [{"_id": "missing"}]
    by_in = compile_filter({"v": {"$in": candidates}})
    by_equalities = compile_filter({"$or": [{"v": candidate} for candidate in candidates]})

    assert [document["_id"] for document in documents if by_in(document)] == [
        document["_id"] for document in documents if by_equalities(document)]


# --- index tables: one B-tree each, entries removed by their keys --------------------------------

def index_rows_and_expected(client, db_name, collection_name):
    """{index name: (rows in its table, rows the stored documents give)} read from the file."""
    from docstore.indexes import document_keys

    storage = client.get_database(db_name).get_collection(collection_name)._storage
    with storage.transaction(write=False) as connection:
        info = storage.collection(db_name, collection_name)
        stored = [(rid, decode(text)) for rid, text in connection.execute(f"SELECT rid, doc FROM {info.table}")]
        found = {}
        for spec in info.indexes:
            columns = ", ".join(f"k{number}" for number in range(len(spec.fields)))
            rows = sorted(map(tuple, connection.execute(f"SELECT {columns}, rid FROM {spec.table}")), key=repr)
            expected = sorted(((*key, rid) for rid, document in stored for key in document_keys(spec, document)[0]),
                              key=repr)
            found[spec.name] = rows, expected
    return found


def test_index_entries_follow_every_insert_update_and_delete(tmp_path):
    """Entries are deleted by the keys computed again from the stored document (no rowid, no index
    on rid): after every kind of write, each index holds exactly what the documents give."""
    client = EmbeddedClient(str(tmp_path / "ix.db"))
    items = client.get_database("db").get_collection("items")
    items.create_index([("tags", 1), ("at", 1)])
    items.create_index("code", unique=True, sparse=True)
    items.create_index([("status", 1), ("n", -1)])
    at = datetime.datetime(2026, 12, 4, 10, 0, 0, 123456, tzinfo=UTC)  # microseconds: cut to ms when stored
    items.insert_many([dict({"_id": n, "tags": ["a", "b", "a"][: n % 4], "at": at, "status": "new", "n": n % 3},
                            **({"code": "c{}".format(n)} if n % 2 else {})) for n in range(40)])
    items.update_many({"n": 1}, {"$set": {"status": "done", "at": at + datetime.timedelta(seconds=1)}})
    items.update_many({"n": 2}, {"$push": {"tags": {"$each": ["z", "b"]}}, "$unset": {"code": ""}})
    items.update_one({"_id": 3}, {"$set": {"tags": ("x", "y")}})  # a tuple, stored as a list
    items.replace_one({"_id": 5}, {"status": "replaced", "n": 1.0, "tags": []})
    items.delete_many({"status": "done"})
    items.delete_one({"_id": 6})

    for name, (rows, expected) in index_rows_and_expected(client, "db", "items").items():
        assert rows == expected, name
    assert items.count_documents({"tags": "b"}) == len([d for d in items.find() if "b" in d.get("tags", [])])
    client.close()


OLD_LAYOUT_DDL = (  # an index table as files written before 2026-12-04 hold it
    "CREATE TABLE {t} (rid INTEGER NOT NULL, k0, k1)",
    "CREATE INDEX {t}_keys ON {t} (k0, k1, rid)",
    "CREATE INDEX {t}_rid ON {t} (rid)",
)


def test_a_file_with_index_tables_of_the_old_layout_is_rebuilt_on_opening(tmp_path):
    path = str(tmp_path / "old.db")
    client = EmbeddedClient(path)
    items = client.get_database("db").get_collection("items")
    items.create_index([("status", 1), ("n", 1)])
    items.insert_many([{"_id": n, "status": "open" if n % 2 else "closed", "n": n} for n in range(10)])
    storage = items._storage
    table = storage.collection("db", "items").indexes[0].table
    client.close()
    with sqlite3.connect(path) as db:  # back to the old layout, with the same rows
        rows = db.execute(f"SELECT k0, k1, rid FROM {table}").fetchall()
        db.execute(f"DROP TABLE {table}")
        for statement in OLD_LAYOUT_DDL:
            db.execute(statement.format(t=table))
        db.executemany(f"INSERT INTO {table} (rid, k0, k1) VALUES (?, ?, ?)", [(rid, a, b) for a, b, rid in rows])

    reopened = EmbeddedClient(path)
    items = reopened.get_database("db").get_collection("items")
    assert items.count_documents({"status": "open", "n": {"$gte": 5}}) == 3
    items.update_one({"_id": 1}, {"$set": {"status": "closed"}})
    items.delete_one({"_id": 3})
    for name, (rows, expected) in index_rows_and_expected(reopened, "db", "items").items():
        assert rows == expected, name
    with sqlite3.connect(path) as db:
        (ddl,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        assert "WITHOUT ROWID" in ddl
        assert db.execute("SELECT name FROM sqlite_master WHERE name LIKE ?", (table + "_%",)).fetchall() == []
    reopened.close()


def test_update_paths_that_overlap_are_refused_and_siblings_are_not(tmp_path):
    """The conflict check finds a path that is a prefix of another in one sorted pass, and names the
    first conflicting pair in the update's own order, as MongoDB does (code 40)."""
    from pymongo.errors import WriteError

    client = EmbeddedClient(str(tmp_path / "u.db"))
    items = client.get_database("db").get_collection("items")
    items.insert_one({"_id": 1, "a": {"b": 0}, "ab": 0, "tags": []})
    items.update_one({"_id": 1}, {"$set": {"a.b": 1, "a.c": 2, "ab": 3, "b": {"x": [1, {"y": 2}]}},
                                  "$push": {"tags": {"$each": [{"t": 1}, [2]]}}})
    assert items.find_one({"_id": 1}) == {"_id": 1, "a": {"b": 1, "c": 2}, "ab": 3, "tags": [{"t": 1}, [2]],
                                          "b": {"x": [1, {"y": 2}]}}
    for update, named in (({"$set": {"a.b": 1, "a": 2}}, "Updating the path 'a' would create a conflict at 'a'"),
                          ({"$set": {"z": 1}, "$inc": {"a.b.c": 1, "a.b": 1}},
                           "Updating the path 'a.b' would create a conflict at 'a.b'"),
                          ({"$set": {"q": 1}, "$unset": {"q": ""}}, "conflict at 'q'")):
        with pytest.raises(WriteError) as refused:
            items.update_one({"_id": 1}, update)
        assert refused.value.code == 40 and named in str(refused.value)
    client.close()
