"""The same cases against every store engine: mongomock (pymongo semantics as the
reference), the embedded SQLite engine, and real MongoDB when MONGO_TEST_URI is set.

A case states what pymongo does; an engine passes by doing the same.
"""
import datetime
import os
import uuid

import mongomock
import pymongo
import pytest
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, InsertOne, ReturnDocument, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, WriteError

from docstore import EmbeddedClient

UTC = datetime.UTC
ENGINES = ["mongomock", "embedded", "mongodb"]


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


@pytest.fixture
def client(engine, tmp_path):
    if engine == "mongomock":
        client = mongomock.MongoClient(tz_aware=True)
    elif engine == "embedded":
        client = EmbeddedClient(f"sqlite:///{tmp_path}/store.db")
    else:
        uri = os.environ.get("MONGO_TEST_URI")
        if not uri:
            pytest.skip("MONGO_TEST_URI not set")
        client = pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=3000)
    yield client
    client.close()


@pytest.fixture
def db(client, engine):
    name = f"contract_{uuid.uuid4().hex[:12]}"
    yield client[name]
    if engine == "mongodb":
        client.drop_database(name)


@pytest.fixture
def coll(db):
    return db["things"]


@pytest.fixture
def mongomock_differs(request, engine):
    """Marks a case where mongomock is known to differ from MongoDB (strict: a fix shows up)."""
    def mark(reason):
        if engine == "mongomock":
            request.applymarker(pytest.mark.xfail(strict=True, reason=f"mongomock: {reason}"))
    return mark


def ids(documents):
    return sorted(document["_id"] for document in documents)


def seed(coll, *documents):
    coll.insert_many([dict(document) for document in documents])


# -- client, database, collection ------------------------------------------------
def test_client_database_and_collection_access(client, db):
    assert client.admin.command("ping") == {"ok": 1.0}
    assert client.get_database(db.name).name == db.name
    assert db.get_collection("things").name == "things"
    db.things.insert_one({"_id": 1})
    assert client[db.name]["things"].find_one({"_id": 1}) == {"_id": 1}
    assert "things" in db.list_collection_names()


# -- inserting and round-tripping ------------------------------------------------
def test_insert_one_sets_id_on_the_document_and_returns_it(coll):
    document = {"name": "Ayşe"}
    result = coll.insert_one(document)
    assert isinstance(result.inserted_id, ObjectId)
    assert document["_id"] == result.inserted_id
    assert coll.find_one({"_id": result.inserted_id}) == {"_id": result.inserted_id, "name": "Ayşe"}


def test_values_round_trip_exactly(coll):
    moment = datetime.datetime(2024, 3, 1, 9, 30, 15, 123000, tzinfo=UTC)
    document = {
        "_id": ObjectId(),
        "text": "Şikâyet: İğdır'da ılık çay, ÖĞÜ ğüşiöç",
        "at": moment,
        "nested": {"deeper": {"list": [1, 2.5, "x", None, True, {"k": [moment]}]}},
        "empty": {}, "none": [], "big": 2**62, "negative": -7, "float": 0.1,
        "ref": ObjectId(),
    }
    coll.insert_one(dict(document))
    assert coll.find_one({"_id": document["_id"]}) == document
    back = coll.find_one({"_id": document["_id"]})
    assert back["at"].utcoffset() == datetime.timedelta(0)
    assert type(back["float"]) is float and type(back["big"]) is int and back["nested"]["deeper"]["list"][4] is True
    assert list(back) == list(document)


def test_datetimes_come_back_in_utc_at_millisecond_precision(coll):
    istanbul = datetime.timezone(datetime.timedelta(hours=3))
    coll.insert_one({"_id": 1, "at": datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=istanbul)})
    at = coll.find_one({"_id": 1})["at"]
    assert at == datetime.datetime(2024, 1, 2, 0, 4, 5, 678000, tzinfo=UTC)
    assert at.utcoffset() == datetime.timedelta(0)


def test_insert_many_returns_ids_in_order(coll):
    result = coll.insert_many([{"_id": "b"}, {"_id": "a"}, {"n": 1}])
    assert result.inserted_ids[:2] == ["b", "a"] and isinstance(result.inserted_ids[2], ObjectId)
    assert coll.count_documents({}) == 3


def test_duplicate_id_raises_duplicate_key_error(coll):
    coll.insert_one({"_id": "x"})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": "x"})


def test_insert_many_ordered_stops_at_the_first_duplicate(coll):
    coll.insert_one({"_id": 2})
    with pytest.raises(BulkWriteError) as caught:
        coll.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3}])
    assert caught.value.details["nInserted"] == 1
    assert caught.value.details["writeErrors"][0]["code"] == 11000
    assert caught.value.details["writeErrors"][0]["index"] == 1
    assert ids(coll.find()) == [1, 2]


def test_bulk_write_inserts_and_updates_with_pymongo_counts(coll):
    coll.insert_many([{"_id": 1, "n": 0}, {"_id": 2, "n": 0}, {"_id": 3, "n": 5}])
    added = {"name": "new"}
    result = coll.bulk_write([
        InsertOne(added),
        UpdateOne({"_id": 1}, {"$inc": {"n": 1}}),
        UpdateOne({"_id": 9}, {"$setOnInsert": {"n": 9}}, upsert=True),
        UpdateMany({"n": {"$lt": 5}}, {"$set": {"small": True}}),
        UpdateOne({"_id": 3}, {"$set": {"n": 5}}),
    ])
    assert isinstance(added["_id"], ObjectId)
    assert (result.inserted_count, result.matched_count, result.modified_count, result.upserted_count) == (1, 4, 3, 1)
    assert coll.find_one({"_id": 9}) == {"_id": 9, "n": 9}
    assert ids(coll.find({"small": True})) == [1, 2]


def test_bulk_write_names_each_upsert_by_the_index_of_its_request(coll, mongomock_differs):
    mongomock_differs("names every upsert index 0")
    coll.insert_one({"_id": 1})
    result = coll.bulk_write([InsertOne({"_id": 2}), UpdateOne({"_id": 1}, {"$set": {"n": 1}}),
                              UpdateOne({"_id": 9}, {"$set": {"n": 9}}, upsert=True)])
    assert result.upserted_ids == {2: 9}


def test_bulk_write_unordered_reports_each_duplicate_by_index_and_writes_the_rest(coll):
    coll.create_index("key", unique=True)
    coll.insert_one({"_id": 1, "key": "a"})
    with pytest.raises(BulkWriteError) as caught:
        coll.bulk_write([
            InsertOne({"_id": 2, "key": "a"}),
            UpdateOne({"_id": 3, "gone": None}, {"$set": {"key": "b"}}, upsert=True),
            UpdateOne({"_id": 1, "key": "zz"}, {"$set": {"n": 1}}, upsert=True),
            InsertOne({"_id": 4, "key": "c"}),
        ], ordered=False)
    details = caught.value.details
    assert [(error["index"], error["code"]) for error in details["writeErrors"]] == [(0, 11000), (2, 11000)]
    assert (details["nInserted"], details["nUpserted"]) == (1, 1)
    assert ids(coll.find()) == [1, 3, 4]


def test_bulk_write_ordered_stops_at_the_first_error_and_keeps_what_came_before(coll):
    coll.insert_one({"_id": 1})
    with pytest.raises(BulkWriteError) as caught:
        coll.bulk_write([InsertOne({"_id": 0}), InsertOne({"_id": 1}), InsertOne({"_id": 2})])
    assert [error["index"] for error in caught.value.details["writeErrors"]] == [1]
    assert ids(coll.find()) == [0, 1]


# -- queries -----------------------------------------------------------------------
@pytest.fixture
def people(coll):
    seed(coll,
         {"_id": 1, "name": "Ali", "age": 30, "city": "İzmir", "tags": ["a", "b"], "address": {"zip": "35000"},
          "applied": ["x"], "timeline": [{"event_id": "e1"}, {"event_id": "e2"}], "outbox": []},
         {"_id": 2, "name": "Ayşe", "age": 25, "city": "Ankara", "tags": ["b"], "address": {"zip": "06000"},
          "applied": [], "timeline": [], "outbox": [{"event_id": "e9"}]},
         {"_id": 3, "name": "Can", "age": 35, "tags": [], "applied": ["y"], "outbox": []},
         {"_id": 4, "name": "Deniz", "age": None, "city": "İzmir", "address": {"zip": "35100"}})
    return coll


@pytest.mark.parametrize("query, expected", [
    ({}, [1, 2, 3, 4]),
    ({"name": "Ayşe"}, [2]),
    ({"age": {"$eq": 30}}, [1]),
    ({"age": {"$ne": 30}}, [2, 3, 4]),
    ({"age": {"$gt": 25}}, [1, 3]),
    ({"age": {"$gte": 25}}, [1, 2, 3]),
    ({"age": {"$lt": 30}}, [2]),
    ({"age": {"$lte": 30}}, [1, 2]),
    ({"age": {"$gt": 24, "$lt": 31}}, [1, 2]),
    ({"age": 30.0}, [1]),
    ({"age": None}, [4]),
    ({"city": None}, [3]),
    ({"city": {"$ne": None}}, [1, 2, 4]),
    ({"name": {"$in": ["Ali", "Can", "Zeki"]}}, [1, 3]),
    ({"name": {"$nin": ["Ali", "Can"]}}, [2, 4]),
    ({"city": {"$exists": True}}, [1, 2, 4]),
    ({"city": {"$exists": False}}, [3]),
    ({"address.zip": "35000"}, [1]),
    ({"address.zip": {"$gte": "35000"}}, [1, 4]),
    ({"address": {"zip": "06000"}}, [2]),
    ({"tags": "b"}, [1, 2]),
    ({"tags": ["b"]}, [2]),
    ({"tags": ["a", "b"]}, [1]),
    ({"tags": []}, [3]),
    ({"outbox": []}, [1, 3]),
    ({"tags": {"$in": ["a", "z"]}}, [1]),
    ({"tags.0": {"$exists": True}}, [1, 2]),
    ({"tags.1": "b"}, [1]),
    ({"timeline.event_id": "e2"}, [1]),
    ({"outbox.event_id": {"$in": ["e9"]}}, [2]),
    ({"applied": {"$ne": "x"}}, [2, 3, 4]),
    ({"applied": {"$nin": ["x", "y"]}}, [2, 4]),
    ({"$and": [{"city": "İzmir"}, {"age": {"$gte": 30}}]}, [1]),
    ({"$or": [{"name": "Can"}, {"city": "Ankara"}]}, [2, 3]),
    ({"$or": [{"_id": 1}, {"age": {"$lt": 26}}], "tags": "b"}, [1, 2]),
    ({"city": "İzmir", "$or": [{"age": None}, {"tags": "a"}]}, [1, 4]),
    ({"_id": {"$in": [2, 4, 9]}}, [2, 4]),
    ({"_id": {"$gt": 2}}, [3, 4]),
])
def test_find_filters(people, query, expected):
    assert ids(people.find(query)) == expected
    assert people.count_documents(query) == len(expected)


def test_equal_types_differ_in_bson(coll, mongomock_differs):
    mongomock_differs("matches True against 1")
    seed(coll, {"_id": 1, "v": 1}, {"_id": 2, "v": True}, {"_id": 3, "v": "1"}, {"_id": 4, "v": 1.0})
    assert ids(coll.find({"v": 1})) == [1, 4]
    assert ids(coll.find({"v": True})) == [2]
    assert ids(coll.find({"v": {"$gt": 0}})) == [1, 4]


def test_datetime_and_object_id_ranges(coll):
    base = datetime.datetime(2024, 5, 1, tzinfo=UTC)
    oids = sorted(ObjectId() for _ in range(3))
    seed(*[coll] + [{"_id": oid, "at": base + datetime.timedelta(days=day)} for day, oid in enumerate(oids)])
    assert ids(coll.find({"at": {"$gte": base + datetime.timedelta(days=1)}})) == oids[1:]
    assert ids(coll.find({"_id": {"$lt": oids[1]}})) == oids[:1]


def test_find_one_returns_none_when_nothing_matches(people):
    assert people.find_one({"name": "Yok"}) is None
    assert people.find_one({"_id": 3})["name"] == "Can"


# -- projection, sort, skip, limit -----------------------------------------------------
@pytest.mark.parametrize("projection, expected", [
    ({"name": 1}, {"_id": 1, "name": "Ali"}),
    ({"name": 1, "_id": 0}, {"name": "Ali"}),
    ({"address.zip": 1, "_id": 0}, {"address": {"zip": "35000"}}),
    ({"timeline.event_id": 1, "_id": 0}, {"timeline": [{"event_id": "e1"}, {"event_id": "e2"}]}),
    ({"_id": 0, "tags": 0, "applied": 0, "timeline": 0, "outbox": 0, "address": 0},
     {"name": "Ali", "age": 30, "city": "İzmir"}),
    ({"_id": 1}, {"_id": 1}),
])
def test_projection(people, projection, expected):
    assert people.find_one({"_id": 1}, projection) == expected
    assert list(people.find({"_id": 1}, projection=projection)) == [expected]


def test_sort_skip_limit(people):
    assert [d["_id"] for d in people.find({"age": {"$ne": None}}).sort("age", DESCENDING)] == [3, 1, 2]
    assert [d["_id"] for d in people.find().sort([("city", ASCENDING), ("age", DESCENDING)])] == [3, 2, 1, 4]
    assert [d["_id"] for d in people.find().sort("_id", 1).skip(1).limit(2)] == [2, 3]
    assert [d["_id"] for d in people.find(sort=[("name", -1)], skip=1, limit=1)] == [3]
    assert [d["_id"] for d in people.find({}, {"_id": 1}).sort("tags", 1).limit(2)] == [3, 4]
    assert people.count_documents({}, skip=1, limit=2) == 2


# Sorted reads and counts that an index can answer (the embedded engine reads them through the
# index: docstore/planner.py ordered_scans, covered_count) must equal a full scan's.
def _day(day):
    return datetime.datetime(2026, 1, day, tzinfo=UTC)


OID = ObjectId("5f0000000000000000000001")
MIXED = [
    {"_id": 1, "p": "06", "when": _day(3), "s": "open"},
    {"_id": 2, "p": "06", "when": _day(1), "s": "closed"},
    {"_id": 4, "p": "06", "s": "open"},  # no "when": sorts with null, first
    {"_id": 6, "p": "06", "when": 7, "s": "open"},
    {"_id": 7, "p": "06", "when": "text", "s": "closed"},
    {"_id": 8, "p": "06", "when": True, "s": "open"},
    {"_id": 9, "p": "06", "when": OID, "s": "open"},
    {"_id": 3, "p": "34", "when": _day(2), "s": "open"},
    {"_id": 5, "p": "34", "when": -1, "s": "open"},
    {"_id": 10, "p": "34", "when": 2.5, "s": "closed"},
]


@pytest.fixture
def mixed(coll):
    coll.create_index([("p", ASCENDING), ("when", ASCENDING)])
    coll.create_index([("p", ASCENDING), ("s", ASCENDING)])
    seed(coll, *MIXED)
    return coll


@pytest.mark.parametrize("query, direction, skip, limit, expected", [
    ({"p": "06"}, ASCENDING, 0, 0, [4, 6, 7, 9, 8, 2, 1]),
    ({"p": "06"}, DESCENDING, 0, 0, [1, 2, 8, 9, 7, 6, 4]),
    ({"p": "06"}, ASCENDING, 2, 3, [7, 9, 8]),
    ({"p": "06"}, DESCENDING, 1, 2, [2, 8]),
    ({"p": {"$in": ["06", "34"]}}, ASCENDING, 0, 0, [4, 5, 10, 6, 7, 9, 8, 2, 3, 1]),
    ({"p": "06", "s": "open"}, DESCENDING, 0, 3, [1, 8, 9]),
    ({"p": "34", "when": {"$gte": 0}}, ASCENDING, 0, 0, [10]),
    ({"p": "81"}, ASCENDING, 0, 0, []),
])
def test_sorted_pages_follow_mongodb_order_across_types(mixed, query, direction, skip, limit, expected):
    found = mixed.find(query).sort("when", direction).skip(skip).limit(limit)
    assert [document["_id"] for document in found] == expected


def test_sorted_pages_with_values_an_index_cannot_order(mixed):
    """NaN sorts below every number, objects after strings: the order is still MongoDB's."""
    seed(mixed, {"_id": 11, "p": "35", "when": {"a": 1}}, {"_id": 12, "p": "35", "when": float("nan")},
         {"_id": 13, "p": "35", "when": 3}, {"_id": 14, "p": "35", "when": "x"})
    assert [d["_id"] for d in mixed.find({"p": "35"}).sort("when", ASCENDING)] == [12, 13, 14, 11]
    assert [d["_id"] for d in mixed.find({"p": "35"}).sort("when", DESCENDING).limit(2)] == [11, 14]


def test_sorted_pages_once_the_sort_field_holds_an_array(mixed, mongomock_differs):
    """An array sorts by its smallest element ascending, its largest descending."""
    mongomock_differs("sorts an array field by its first element, not its smallest")
    seed(mixed, {"_id": 15, "p": "06", "when": [_day(9), 0]})
    assert [d["_id"] for d in mixed.find({"p": "06"}).sort("when", ASCENDING).limit(3)] == [4, 15, 6]
    assert [d["_id"] for d in mixed.find({"p": "06"}).sort("when", DESCENDING).limit(2)] == [15, 1]


@pytest.mark.parametrize("query, expected", [
    ({"p": "06"}, 7),
    ({"p": {"$in": ["06", "34"]}}, 10),
    ({"p": "06", "s": "open"}, 5),
    ({"s": "closed", "p": {"$in": ["06", "34"]}}, 3),
    ({"p": {"$in": []}}, 0),
    ({"p": "06", "s": {"$in": ["open", "closed"]}}, 7),
    ({"s": "open"}, 7),  # not a leading field: the documents are read
    ({"p": "06", "when": 7}, 1),
    ({"p": "06", "s": {"$ne": "open"}}, 2),
])
def test_counts_that_an_index_can_answer(mixed, query, expected):
    assert mixed.count_documents(query) == expected
    assert mixed.count_documents(query, skip=1, limit=2) == max(0, min(2, expected - 1))


def _groups(result):
    return sorted(((group["_id"] is None, group["_id"] if group["_id"] is not None else "", group["n"],
                    group.get("total"))
                   for group in result), key=repr)


@pytest.mark.parametrize("indexed", [True, False])
def test_counts_per_value_of_a_field(coll, indexed):
    """``aggregate([$match, $group])`` as the stores use it, with and without an index the
    embedded engine can count from (planner.covered_group)."""
    if indexed:
        coll.create_index([("status", ASCENDING), ("unit", ASCENDING), ("province", ASCENDING)])
    seed(coll, {"_id": 1, "status": "open", "unit": "06-health", "province": "Ankara", "pages": 2},
         {"_id": 2, "status": "open", "unit": "06-health", "province": "Ankara", "pages": 3},
         {"_id": 3, "status": "open", "unit": None, "province": "Ankara"},
         {"_id": 4, "status": "open", "province": "İstanbul", "pages": "many"},  # no unit: grouped with null
         {"_id": 5, "status": "closed", "unit": "06-health", "province": "Ankara"},
         {"_id": 6, "status": "open", "unit": 7, "province": "İzmir"},
         {"_id": 7, "status": "returned", "unit": 7.0, "province": "İzmir"})  # 7.0 groups with 7
    open_ = {"status": {"$in": ["open", "returned"]}}

    by_unit = coll.aggregate([{"$match": open_}, {"$group": {"_id": "$unit", "n": {"$sum": 1}}}])
    assert _groups(by_unit) == _groups([{"_id": "06-health", "n": 2}, {"_id": None, "n": 2}, {"_id": 7, "n": 2}])

    unrouted = coll.aggregate([{"$match": dict(open_, unit=None)},
                               {"$group": {"_id": "$province", "n": {"$sum": 1}}}])
    assert _groups(unrouted) == _groups([{"_id": "Ankara", "n": 1}, {"_id": "İstanbul", "n": 1}])

    pages = coll.aggregate([{"$match": {"province": "Ankara"}},
                            {"$group": {"_id": "$status", "n": {"$sum": 1}, "total": {"$sum": "$pages"}}}])
    assert _groups(pages) == _groups([{"_id": "open", "n": 3, "total": 5}, {"_id": "closed", "n": 1, "total": 0}])

    everything = coll.aggregate([{"$group": {"_id": None, "n": {"$sum": 2}}}])
    assert list(everything) == [{"_id": None, "n": 14}]
    assert list(coll.aggregate([{"$match": {"status": "gone"}}, {"$group": {"_id": "$unit", "n": {"$sum": 1}}}])) == []


def test_cursor_iterates_once(people):
    cursor = people.find({"city": "İzmir"})
    assert ids(cursor) == [1, 4]
    assert list(cursor) == []


# -- updates ----------------------------------------------------------------------------
def test_update_operators(coll):
    coll.insert_one({"_id": 1, "n": 1, "drop": True, "tags": ["a"], "outbox": [], "nested": {"x": 1}})
    result = coll.update_one({"_id": 1}, {
        "$set": {"nested.y": "ğ", "status": "açık"}, "$unset": {"drop": ""}, "$inc": {"n": 2, "fresh": 5},
        "$push": {"outbox": {"$each": [{"event_id": "a"}, {"event_id": "b"}, {"event_id": "c"}]}},
        "$addToSet": {"tags": {"$each": ["a", "b"]}}, "$setOnInsert": {"created": True},
    })
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    assert coll.find_one({"_id": 1}) == {
        "_id": 1, "n": 3, "tags": ["a", "b"],
        "outbox": [{"event_id": "a"}, {"event_id": "b"}, {"event_id": "c"}],
        "nested": {"x": 1, "y": "ğ"}, "status": "açık", "fresh": 5}
    coll.update_one({"_id": 1}, {"$pull": {"outbox": {"event_id": {"$in": ["a", "c"]}}, "tags": "a"}})
    assert coll.find_one({"_id": 1}, {"outbox": 1, "tags": 1, "_id": 0}) == {
        "outbox": [{"event_id": "b"}], "tags": ["b"]}
    coll.update_one({"_id": 1}, {"$push": {"tags": "c"}, "$inc": {"n": 0.5}})
    assert coll.find_one({"_id": 1}, {"tags": 1, "n": 1, "_id": 0}) == {"tags": ["b", "c"], "n": 3.5}


def test_add_to_set_each_adds_repeated_values_once(coll, mongomock_differs):
    mongomock_differs("$addToSet with $each adds a value repeated inside $each twice")
    coll.insert_one({"_id": 1, "tags": ["a"]})
    coll.update_one({"_id": 1}, {"$addToSet": {"tags": {"$each": ["a", "b", "b", {"k": 1}, {"k": 1.0}]}}})
    assert coll.find_one({"_id": 1})["tags"] == ["a", "b", {"k": 1}]


def test_pull_with_value_operators_and_plain_values(coll):
    coll.insert_one({"_id": 1, "scores": [1, 5, 7, 5], "docs": [{"a": 1, "b": 2}, {"a": 2}]})
    coll.update_one({"_id": 1}, {"$pull": {"scores": {"$gte": 6}, "docs": {"a": 1}}})
    assert coll.find_one({"_id": 1}) == {"_id": 1, "scores": [1, 5, 5], "docs": [{"a": 2}]}
    coll.update_one({"_id": 1}, {"$pull": {"scores": 5}})
    assert coll.find_one({"_id": 1})["scores"] == [1]


def test_update_counts_and_no_op_updates(people):
    result = people.update_many({"city": "İzmir"}, {"$set": {"region": "Ege"}})
    assert (result.matched_count, result.modified_count) == (2, 2)
    again = people.update_many({"city": "İzmir"}, {"$set": {"region": "Ege"}})
    assert (again.matched_count, again.modified_count) == (2, 0)
    none = people.update_one({"name": "Yok"}, {"$set": {"x": 1}})
    assert (none.matched_count, none.modified_count, none.upserted_id) == (0, 0, None)


def test_upsert_builds_from_filter_equalities(coll):
    result = coll.update_one({"kind": "sms", "count": {"$gt": 5}}, {"$inc": {"n": 1}, "$setOnInsert": {"new": 1}},
                             upsert=True)
    assert result.matched_count == 0 and result.modified_count == 0 and result.upserted_id is not None
    document = coll.find_one({"_id": result.upserted_id})
    assert document == {"_id": result.upserted_id, "kind": "sms", "n": 1, "new": 1}
    again = coll.update_one({"kind": "sms"}, {"$inc": {"n": 1}, "$setOnInsert": {"new": 2}}, upsert=True)
    assert (again.matched_count, again.modified_count, again.upserted_id) == (1, 1, None)
    assert coll.find_one({"kind": "sms"})["new"] == 1


def test_upsert_with_id_and_ne_on_array_raises_duplicate_key_when_already_applied(coll):
    update = {"$push": {"applied": "evt-1"}, "$inc": {"total": 1}}
    first = coll.update_one({"_id": "acct", "applied": {"$ne": "evt-1"}}, update, upsert=True)
    assert first.upserted_id == "acct"
    with pytest.raises(DuplicateKeyError):
        coll.update_one({"_id": "acct", "applied": {"$ne": "evt-1"}}, update, upsert=True)
    assert coll.find_one({"_id": "acct"}) == {"_id": "acct", "applied": ["evt-1"], "total": 1}


def test_find_one_and_update_as_a_counter(coll):
    values = [coll.find_one_and_update({"_id": "seq"}, {"$inc": {"seq": 1}}, upsert=True,
                                       return_document=ReturnDocument.AFTER)["seq"] for _ in range(3)]
    assert values == [1, 2, 3]
    before = coll.find_one_and_update({"_id": "seq"}, {"$inc": {"seq": 1}})
    assert before == {"_id": "seq", "seq": 3}
    assert coll.find_one_and_update({"_id": "none"}, {"$inc": {"seq": 1}}) is None
    assert coll.find_one_and_update({"_id": "new"}, {"$inc": {"seq": 1}}, upsert=True) is None
    projected = coll.find_one_and_update({"_id": "seq"}, {"$inc": {"seq": 1}}, projection={"_id": 0},
                                         return_document=ReturnDocument.AFTER)
    assert projected == {"seq": 5}


def test_find_one_and_update_with_sort(coll):
    seed(coll, {"_id": 1, "p": 2, "state": "new"}, {"_id": 2, "p": 9, "state": "new"}, {"_id": 3, "p": 5})
    taken = coll.find_one_and_update({"state": "new"}, {"$set": {"state": "taken"}}, sort=[("p", -1)],
                                     return_document=ReturnDocument.AFTER)
    assert taken == {"_id": 2, "p": 9, "state": "taken"}


def test_replace_one(coll):
    coll.insert_one({"_id": 1, "a": 1, "b": 2})
    result = coll.replace_one({"_id": 1}, {"c": 3})
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert coll.find_one({"_id": 1}) == {"_id": 1, "c": 3}
    upserted = coll.replace_one({"_id": 2}, {"d": 4}, upsert=True)
    assert upserted.upserted_id == 2 and coll.find_one({"_id": 2}) == {"_id": 2, "d": 4}


def test_update_cannot_change_id(coll):
    coll.insert_one({"_id": 1})
    with pytest.raises(WriteError):
        coll.update_one({"_id": 1}, {"$set": {"_id": 2}})


def test_inc_on_a_string_fails_and_changes_nothing(coll, mongomock_differs):
    mongomock_differs("raises TypeError instead of WriteError")
    coll.insert_one({"_id": 1, "s": "x", "n": 1})
    with pytest.raises(WriteError):
        coll.update_one({"_id": 1}, {"$inc": {"n": 1, "s": 1}})
    assert coll.find_one({"_id": 1}) == {"_id": 1, "s": "x", "n": 1}


def test_update_document_must_use_operators(coll):
    with pytest.raises(ValueError):
        coll.update_one({"_id": 1}, {"plain": 1})
    with pytest.raises(ValueError):
        coll.replace_one({"_id": 1}, {"$set": {"a": 1}})


# -- deletes ------------------------------------------------------------------------------
def test_delete_one_and_many(people):
    assert people.delete_one({"city": "İzmir"}).deleted_count == 1
    assert people.delete_many({"age": {"$gte": 0}}).deleted_count == 2
    assert people.delete_many({"name": "Yok"}).deleted_count == 0
    assert people.count_documents({}) == 1


# -- indexes --------------------------------------------------------------------------------
def test_unique_index_on_insert_update_and_upsert(coll):
    assert coll.create_index("email", unique=True) == "email_1"
    coll.insert_one({"_id": 1, "email": "a@x"})
    coll.insert_one({"_id": 2, "email": "b@x"})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": 3, "email": "a@x"})
    with pytest.raises(DuplicateKeyError):
        coll.update_one({"_id": 2}, {"$set": {"email": "a@x"}})
    with pytest.raises(DuplicateKeyError):
        coll.update_one({"_id": 9}, {"$set": {"email": "a@x"}}, upsert=True)
    with pytest.raises(DuplicateKeyError):
        coll.replace_one({"_id": 2}, {"email": "a@x"})
    assert coll.find_one({"_id": 2})["email"] == "b@x"
    assert coll.count_documents({}) == 2
    coll.update_one({"_id": 1}, {"$set": {"email": "c@x"}})
    coll.insert_one({"_id": 4, "email": "a@x"})


def test_create_index_is_idempotent_and_accepts_key_lists(coll):
    assert coll.create_index([("case_id", ASCENDING), ("at", DESCENDING)], unique=True) == "case_id_1_at_-1"
    assert coll.create_index([("case_id", ASCENDING), ("at", DESCENDING)], unique=True) == "case_id_1_at_-1"
    assert coll.create_index("status") == coll.create_index("status") == "status_1"
    info = coll.index_information()
    assert info["case_id_1_at_-1"]["unique"] is True
    assert [tuple(pair) for pair in info["case_id_1_at_-1"]["key"]] == [("case_id", 1), ("at", -1)]
    assert "_id_" in info and "status_1" in info


def test_compound_unique_index(coll):
    coll.create_index([("a", 1), ("b", 1)], unique=True)
    coll.insert_one({"a": 1, "b": 1})
    coll.insert_one({"a": 1, "b": 2})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"a": 1, "b": 1})


def test_unique_index_on_a_dotted_path(coll):
    coll.create_index("applicant.tckn", unique=True)
    coll.insert_one({"applicant": {"tckn": "10000000146"}})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"applicant": {"tckn": "10000000146", "name": "Başka"}})
    assert coll.find_one({"applicant.tckn": "10000000146"})["applicant"] == {"tckn": "10000000146"}


def test_unique_index_treats_missing_as_null_unless_sparse(coll, db):
    coll.create_index("code", unique=True)
    coll.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": 2})
    sparse = db["sparse"]
    sparse.create_index("code", unique=True, sparse=True)
    sparse.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3, "code": "k"}])
    with pytest.raises(DuplicateKeyError):
        sparse.insert_one({"_id": 4, "code": "k"})
    assert ids(sparse.find({"code": None})) == [1, 2]
    assert ids(sparse.find({"code": "k"})) == [3]


def test_creating_a_unique_index_over_duplicates_fails(coll):
    seed(coll, {"_id": 1, "k": 1}, {"_id": 2, "k": 1})
    with pytest.raises(DuplicateKeyError):
        coll.create_index("k", unique=True)


def test_unique_index_on_an_array_field(coll, mongomock_differs):
    mongomock_differs("compares whole arrays in unique indexes, not their elements")
    coll.create_index("aliases", unique=True)
    coll.insert_one({"_id": 1, "aliases": ["a", "b", "a"]})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": 2, "aliases": ["c", "b"]})
    assert ids(coll.find({"aliases": "b"})) == [1]


QUERIES_FOR_INDEX_EQUIVALENCE = [
    {"k": 3}, {"k": {"$in": [1, 4, "x"]}}, {"k": {"$gt": 2}}, {"k": {"$gte": 1, "$lt": 4}},
    {"k": {"$lte": "m"}}, {"k": None}, {"k": {"$ne": 3}}, {"k": [1, 2]}, {"k": []}, {"k": {"$exists": False}},
    {"k": {"$gt": 2, "$lt": 3}}, {"sub.v": "a"}, {"sub.v": {"$in": ["b", None]}}, {"k": 3, "sub.v": "a"},
    {"$or": [{"k": 1}, {"sub.v": "b"}]}, {"$and": [{"k": {"$gte": 1}}, {"k": {"$lte": 2}}]},
    {"at": {"$gte": datetime.datetime(2024, 1, 2, tzinfo=UTC)}}, {"k": 1.0}, {"k": True},
    {"k": {"a": 1}}, {"k": {"$gt": datetime.datetime(2000, 1, 1, tzinfo=UTC)}},
]


def test_indexes_never_change_answers(coll):
    documents = [
        {"_id": 1, "k": 1, "sub": {"v": "a"}}, {"_id": 2, "k": [1, 2], "sub": [{"v": "a"}, {"v": "b"}]},
        {"_id": 3, "k": 3, "sub": {"v": "b"}}, {"_id": 4, "k": [0, 10]}, {"_id": 5, "k": []},
        {"_id": 6, "k": None}, {"_id": 7}, {"_id": 8, "k": "x"}, {"_id": 9, "k": [[1, 2]]},
        {"_id": 10, "k": {"a": 1}}, {"_id": 11, "k": True}, {"_id": 12, "k": 3.0, "sub": {"v": "a"}},
        {"_id": 13, "at": datetime.datetime(2024, 1, 3, tzinfo=UTC), "k": datetime.datetime(2024, 1, 1, tzinfo=UTC)},
        {"_id": 14, "sub": [{"w": 1}]},
    ]
    seed(coll, *documents)
    before = {repr(query): ids(coll.find(query)) for query in QUERIES_FOR_INDEX_EQUIVALENCE}
    coll.create_index("k")
    coll.create_index("sub.v")
    coll.create_index([("k", 1), ("sub.v", 1)])
    coll.create_index("at")
    after = {repr(query): ids(coll.find(query)) for query in QUERIES_FOR_INDEX_EQUIVALENCE}
    assert after == before
    assert before[repr({"k": 3})] == [3, 12]
    assert before[repr({"k": {"$gt": 2, "$lt": 3}})] == [4]


def test_indexes_follow_updates_and_deletes(coll):
    coll.create_index("state")
    coll.create_index("tags")
    seed(coll, {"_id": 1, "state": "new", "tags": ["a"]}, {"_id": 2, "state": "new"})
    coll.update_one({"_id": 1}, {"$set": {"state": "done"}, "$push": {"tags": "b"}})
    coll.delete_one({"_id": 2})
    assert ids(coll.find({"state": "new"})) == []
    assert ids(coll.find({"state": "done"})) == [1]
    assert ids(coll.find({"tags": "b"})) == [1]
    coll.insert_one({"_id": 2, "state": "new"})
    assert ids(coll.find({"state": "new"})) == [2]


# -- the embedded engine refuses what it does not support ------------------------------------
@pytest.mark.parametrize("call", [
    lambda coll: list(coll.find({"$where": "this.a == 1"})),
    lambda coll: list(coll.find({"a": {"$type": "string"}})),
    lambda coll: coll.update_one({"_id": 1}, {"$rename": {"a": "b"}}),
    lambda coll: coll.update_one({"a": 1}, {"$set": {"list.$": 1}}),
    lambda coll: coll.update_one({"_id": 1}, {"$push": {"a": {"$each": [1], "$slice": 1}}}),
    lambda coll: coll.aggregate([]),
    lambda coll: coll.create_index("text_field", expireAfterSeconds=60),
    lambda coll: coll.create_index([("body", "text")]),
    lambda coll: list(coll.find({}, {"a": {"$slice": 1}})),
])
def test_embedded_refuses_unsupported_requests(engine, coll, call):
    if engine != "embedded":
        pytest.skip("the refusal contract is the embedded engine's own")
    coll.insert_one({"_id": 1, "a": 1})
    with pytest.raises(NotImplementedError):
        call(coll)


def test_a_message_is_found_by_id_only_with_a_provider_it_was_handed_to(coll):
    """notification's claim and delivery-report lookup (store.claim_next, find_reported)."""
    coll.insert_one({"_id": "m1", "state": "queued", "attempts": 0})
    coll.find_one_and_update({"_id": "m1", "state": "queued"}, {
        "$set": {"state": "sending"}, "$inc": {"attempts": 1}, "$addToSet": {"providers": "verimor"}})

    def reported_by(provider):
        return coll.find_one({"_id": "m1", "$or": [{"provider": provider}, {"providers": provider}]})

    assert reported_by("verimor")["providers"] == ["verimor"] and reported_by("twilio") is None
    coll.update_one({"_id": "m1"}, {"$set": {"provider": "twilio"}})  # sent before providers was kept
    assert reported_by("twilio")["_id"] == "m1" and reported_by("iletimerkezi") is None
