"""The staff queue (services/routing/queue.py): tabs' counts, the ``open`` filter, the three sorts,
pages, days left, and a searched queue — on mongomock and on the embedded store, whose index reads
(ordered scans, counts from index rows) take other code paths than a plain sort."""
import copy
from datetime import timedelta
from itertools import product

import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import ValidationFailed
from docstore import EmbeddedClient
from services.routing import domain
from services.routing.service import RoutingService
from tests.support.routing_stores import RoutingStores
from tests.support.samples import answer_keyring, received_event, staff_principal

ROUTER = staff_principal("ankara.router")
ADMIN = staff_principal("ankara.admin")
HEALTH = staff_principal("ankara.health")  # unit officer of 06-cankaya-health
EDUCATION = staff_principal("ankara.education")  # unit officer of 06-national_education
ISTANBUL_ROUTER = staff_principal("istanbul.router")
CANKAYA_HEALTH = "06-cankaya-health"
ANKARA_EDUCATION = "06-national_education"
ANSWER = {"text": "Sağlık ocağının çalışma saatleri uzatıldı.", "outcome": "positive"}
REASON = {"reason": "Bu konu il müdürlüğünün işidir."}
ZERO = {"unrouted": 0, "routed": 0, "returned": 0, "answered": 0, "open": 0}


@pytest.fixture(params=["mongomock", "embedded"])
def store(request, mongo_db, seeded_units, tmp_path):
    if request.param == "mongomock":
        database, client = mongo_db, None
    else:
        client = EmbeddedClient(str(tmp_path / "routing.db"))
        database = client.get_database("routing")
    stores = RoutingStores(database)
    stores.create_indexes()
    stores.seed_units([unit for unit in copy.deepcopy(seeded_units) if unit["province_code"] == "06"])
    yield stores
    if client is not None:
        client.close()


@pytest.fixture
def routing(store):
    return worker_factory(RoutingService, applications=store, accounts=store, publish_owed_events=lambda: None,
                          watch_deadlines=lambda: None, reference_data=None, answer_keys=answer_keyring())


def receive(routing, number, received_ago, due_in, province_code="06"):
    now = clock.now()
    routing.handle_application_received(received_event(
        number, province="Ankara" if province_code == "06" else "İstanbul", province_code=province_code,
        district="Çankaya" if province_code == "06" else "Kadıköy", category="health",
        received_at=clock.to_iso(now - received_ago, "milliseconds"), due_at=clock.to_iso(now + due_in)))


# Each application: (number, hours since received, hours to its due time, what happens to it).
# Received and due times all differ, so every order is one order.
HAPPENINGS = [
    ("2026-000001", 200, -30, "unrouted"),
    ("2026-000002", 190, -20, "routed_health"),
    ("2026-000003", 180, -10, "answered_health"),
    ("2026-000004", 170, 5, "returned"),
    ("2026-000005", 160, 10, "routed_education"),
    ("2026-000006", 150, 20, "unrouted"),
    ("2026-000007", 140, 30, "routed_health"),
    ("2026-000008", 130, 40, "answered_education"),
    ("2026-000009", 120, 50, "unrouted"),
    ("2026-000010", 110, 60, "routed_health"),
    ("2026-000011", 100, -5, "returned"),
    ("2026-000012", 90, 70, "answered_health"),
    ("2026-000013", 80, 80, "unrouted"),
    ("2026-000014", 70, 90, "routed_health"),
    ("2026-000015", 60, 100, "unrouted"),
]


@pytest.fixture
def queue(routing):
    """The applications of HAPPENINGS in Ankara, and one in İstanbul nobody of Ankara may see."""
    for number, received_hours, due_hours, happening in HAPPENINGS:
        receive(routing, number, timedelta(hours=received_hours), timedelta(hours=due_hours))
        if happening == "unrouted":
            continue
        unit = ANKARA_EDUCATION if happening.endswith("education") else CANKAYA_HEALTH
        routing.route_application(ROUTER, number, {"unit_id": unit})
        if happening.startswith("answered"):
            routing.answer_application(HEALTH if unit == CANKAYA_HEALTH else EDUCATION, number, ANSWER)
        elif happening == "returned":
            routing.return_application(HEALTH, number, REASON)
    receive(routing, "2026-000099", timedelta(hours=1), timedelta(hours=100), province_code="34")
    return {number: (received_hours, due_hours, happening)
            for number, received_hours, due_hours, happening in HAPPENINGS}


def status_of(happening):
    return happening.split("_")[0]


def expected(queue, principal, query):
    """The queue page's applications in order, worked out from HAPPENINGS alone."""
    numbers = []
    for number, (_, due_hours, happening) in queue.items():
        status, unit = status_of(happening), happening.partition("_")[2] or None
        unit_id = {"health": CANKAYA_HEALTH, "education": ANKARA_EDUCATION}.get(unit)
        if status == "returned":
            unit_id = None
        if principal["role"] == "unit" and (unit_id != principal["unit_id"] or status not in ("routed", "answered")):
            continue
        if principal["role"] != "unit" and query.get("unit_id") and unit_id != query["unit_id"]:
            continue
        wanted = query.get("status")
        if wanted == "open" and status == "answered" or wanted not in (None, "open", status):
            continue
        overdue = status != "answered" and due_hours < 0
        if "overdue" in query and overdue != (query["overdue"] == "true"):
            continue
        numbers.append(number)
    sort = query.get("sort", "received")
    if sort == "received":
        return sorted(numbers, key=lambda number: queue[number][0])  # fewest hours ago: newest
    if sort == "due":
        return sorted(numbers, key=lambda number: queue[number][1])
    order = ("unrouted", "routed", "returned", "answered")
    return sorted(numbers, key=lambda number: (order.index(status_of(queue[number][2])), queue[number][1]))


def numbers_of(page):
    return [item["application_no"] for item in page["items"]]


def every_page(routing, principal, query, page_size):
    numbers, page = [], 1
    while True:
        answer = routing.list_applications(principal, dict(query, page=str(page), page_size=str(page_size)))
        numbers += numbers_of(answer)
        if len(answer["items"]) < page_size:
            return numbers, answer
        page += 1


QUERIES = [dict(filters, sort=sort) for filters, sort in product([
    {}, {"status": "open"}, {"status": "unrouted"}, {"status": "routed"}, {"status": "answered"},
    {"status": "returned"}, {"overdue": "true"}, {"overdue": "false"}, {"status": "open", "overdue": "false"},
    {"unit_id": CANKAYA_HEALTH}, {"unit_id": CANKAYA_HEALTH, "status": "open"},
], ["received", "due", "status"])]


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: "&".join("{}={}".format(*item) for item in query.items()))
def test_routers_pages_in_every_sort_and_filter_follow_on_without_gap_or_repeat(routing, queue, query):
    for page_size in (1, 4, 100):
        numbers, last = every_page(routing, ROUTER, query, page_size)

        assert numbers == expected(queue, ROUTER, query), page_size
        assert last["total"] == len(numbers)


@pytest.mark.parametrize("query", [{"sort": sort, **filters} for sort, filters in product(
    ["received", "due", "status"], [{}, {"status": "open"}, {"status": "answered"}, {"overdue": "true"}])],
    ids=str)
def test_unit_officers_pages_follow_on_in_every_sort(routing, queue, query):
    numbers, last = every_page(routing, HEALTH, query, 2)

    assert numbers == expected(queue, HEALTH, query)
    assert last["total"] == len(numbers)


def test_counts_are_the_tabs_of_the_scope_whatever_the_status_asked(routing, queue):
    everything = {"unrouted": 5, "routed": 5, "returned": 2, "answered": 3, "open": 12}

    for status in (None, "open", "unrouted", "answered"):
        page = routing.list_applications(ROUTER, {} if status is None else {"status": status})
        assert page["counts"] == everything, status
    assert routing.list_applications(ROUTER, {"status": "open"})["total"] == 12


@pytest.mark.parametrize("query, counts", [
    ({"overdue": "true"}, {"unrouted": 1, "routed": 1, "returned": 1, "answered": 0, "open": 3}),
    ({"overdue": "false"}, {"unrouted": 4, "routed": 4, "returned": 1, "answered": 3, "open": 9}),
    ({"unit_id": CANKAYA_HEALTH}, {"unrouted": 0, "routed": 4, "returned": 0, "answered": 2, "open": 4}),
    ({"unit_id": CANKAYA_HEALTH, "overdue": "true", "status": "answered"},
     {"unrouted": 0, "routed": 1, "returned": 0, "answered": 0, "open": 1}),
])
def test_counts_follow_the_unit_and_overdue_filters(routing, queue, query, counts):
    assert routing.list_applications(ROUTER, query)["counts"] == counts


def test_unit_officer_counts_only_what_is_with_their_unit(routing, queue):
    page = routing.list_applications(HEALTH, {"status": "open"})

    assert page["counts"] == {"unrouted": 0, "routed": 4, "returned": 0, "answered": 2, "open": 4}
    assert {item["status"] for item in page["items"]} == {"routed"}
    assert routing.list_applications(EDUCATION, {})["counts"] == {
        "unrouted": 0, "routed": 1, "returned": 0, "answered": 1, "open": 1}


def test_another_provinces_queue_is_not_counted(routing, queue):
    page = routing.list_applications(ISTANBUL_ROUTER, {})

    assert numbers_of(page) == ["2026-000099"]
    assert page["counts"] == dict(ZERO, unrouted=1, open=1)


def test_entries_say_how_many_days_are_left_and_how_the_deadline_stands(routing, queue):
    page = routing.list_applications(ROUTER, {"page_size": "100"})
    entries = {item["application_no"]: item for item in page["items"]}

    assert (entries["2026-000001"]["days_left"], entries["2026-000001"]["due_state"]) == (-2, "overdue")
    assert (entries["2026-000011"]["days_left"], entries["2026-000011"]["due_state"]) == (-1, "overdue")
    assert (entries["2026-000004"]["days_left"], entries["2026-000004"]["due_state"]) == (0, "due_soon")
    assert (entries["2026-000006"]["days_left"], entries["2026-000006"]["due_state"]) == (0, "due_soon")
    assert (entries["2026-000007"]["days_left"], entries["2026-000007"]["due_state"]) == (1, "fine")
    assert (entries["2026-000015"]["days_left"], entries["2026-000015"]["due_state"]) == (4, "fine")
    assert (entries["2026-000003"]["days_left"], entries["2026-000003"]["due_state"]) == (None, "closed")


def test_newest_is_still_understood_as_received(routing, queue):
    assert numbers_of(routing.list_applications(ROUTER, {"sort": "newest"})) == numbers_of(
        routing.list_applications(ROUTER, {"sort": "received"}))


@pytest.mark.parametrize("query, field", [
    ({"status": "closed"}, "status"), ({"sort": "oldest"}, "sort"), ({"sort": "unit"}, "sort"),
    ({"q": "çukur"}, "q"),
])
def test_bad_queue_query_is_refused_naming_the_field(routing, query, field):
    with pytest.raises(ValidationFailed) as refused:
        routing.list_applications(ROUTER, query)

    assert list(refused.value.fields) == [field]


# --- a searched queue: only the numbers the gateway's search found ----------------------------

SEARCHED = ["2026-000001", "2026-000003", "2026-000004", "2026-000007", "2026-000099", "2026-999999"]


def test_searched_queue_keeps_to_the_numbers_found_and_the_officers_scope(routing, queue):
    page = routing.list_applications(ROUTER, {"sort": "due"}, SEARCHED)

    assert numbers_of(page) == ["2026-000001", "2026-000003", "2026-000004", "2026-000007"]
    assert page["counts"] == {"unrouted": 1, "routed": 1, "returned": 1, "answered": 1, "open": 3}
    assert page["total"] == 4
    unit_page = routing.list_applications(HEALTH, {}, SEARCHED)
    assert numbers_of(unit_page) == ["2026-000007", "2026-000003"]
    assert unit_page["counts"] == {"unrouted": 0, "routed": 1, "returned": 0, "answered": 1, "open": 1}


@pytest.mark.parametrize("query", QUERIES[::2], ids=str)
def test_searched_queue_filters_sorts_and_pages_as_the_whole_queue_does(routing, queue, query):
    everything = sorted(queue)

    numbers, last = every_page_among(routing, ROUTER, query, everything, 4)

    assert numbers == expected(queue, ROUTER, query)
    assert last["counts"] == routing.list_applications(ROUTER, query)["counts"]


def every_page_among(routing, principal, query, among, page_size):
    numbers, page = [], 1
    while True:
        answer = routing.list_applications(principal, dict(query, page=str(page), page_size=str(page_size)), among)
        numbers += numbers_of(answer)
        if len(answer["items"]) < page_size:
            return numbers, answer
        page += 1


def test_a_search_that_found_nothing_is_an_empty_page_without_a_query(routing, store, queue, monkeypatch):
    def no_query(*args, **kwargs):
        raise AssertionError("no query for an empty search")

    monkeypatch.setattr(store.applications, "find", no_query)
    monkeypatch.setattr(store.applications, "count_documents", no_query)

    page = routing.list_applications(ROUTER, {"status": "open"}, [])

    assert page == {"items": [], "total": 0, "page": 1, "page_size": 20, "counts": ZERO}


# --- what makes the queue fast on the embedded store ------------------------------------------

@pytest.fixture
def embedded_store(tmp_path):
    client = EmbeddedClient(str(tmp_path / "routing.db"))
    stores = RoutingStores(client.get_database("routing"))
    stores.create_indexes()
    yield stores
    client.close()


SCOPES = [{"province_code": "06", "overdue": overdue} for overdue in (None, True, False)] + [
    {"province_code": "06", "unit_id": CANKAYA_HEALTH, "overdue": overdue} for overdue in (None, True, False)]


@pytest.mark.parametrize("scope", SCOPES, ids=str)
def test_every_count_of_the_tabs_is_answered_from_index_rows(embedded_store, scope):
    """A count the embedded store must decode documents for grows with the province: each status's
    count must be a range of one index (docstore/README.md, answering from index rows alone)."""
    from docstore.planner import covered_count
    from services.routing.store import _status_queries

    indexes = embedded_store.applications._info().indexes
    for status, query in _status_queries(scope, domain.ALL_STATUSES, clock.now()).items():
        assert covered_count(query, indexes) is not None, (status, query)


@pytest.fixture(scope="module")
def many_applications(tmp_path_factory):
    """An embedded store with 3,000 applications of Ankara: 2,800 answered by Çankaya's health unit
    (the oldest), then 200 open ones, unrouted, routed there and returned in turn; and its "now"."""
    client = EmbeddedClient(str(tmp_path_factory.mktemp("many") / "routing.db"))
    stores = RoutingStores(client.get_database("routing"))
    stores.create_indexes()
    now = clock.now()
    documents = []
    for index in range(3000):
        status = "answered" if index < 2800 else ("unrouted", "routed", "returned")[index % 3]
        documents.append({"_id": "2026-{:06d}".format(index), "application_no": "2026-{:06d}".format(index),
                          "province_code": "06", "status": status, "is_open": status != "answered",
                          "unit_id": CANKAYA_HEALTH if status in ("routed", "answered") else None,
                          "received_at": now - timedelta(minutes=3000 - index),
                          "due_at": now + timedelta(minutes=index)})
    stores.applications.insert_many(documents)
    yield stores, now
    client.close()


@pytest.mark.parametrize("principal, status, sort", product(
    [ROUTER, HEALTH], [None, "open", "answered"], ["due", "received", "status"]), ids=str)
def test_a_page_and_its_counts_decode_about_a_page_on_the_embedded_store(
        many_applications, monkeypatch, principal, status, sort):
    """Open applications behind thousands answered: a page and the tabs' counts read about a page
    of documents (docstore/README.md: answering from index rows, reading in index order), however
    many applications stand before it in another status."""
    import docstore.collection

    embedded_store, now = many_applications
    scope = domain.queue_scope(principal)
    asked = domain.asked_statuses(principal, status, None)
    everything = embedded_store.applications.find(dict(queue_query(scope), status={"$in": asked}))
    second_page = [document["_id"] for document in domain.sort_applications(everything, sort)][20:40]
    decoded = []
    real_decode = docstore.collection.decode
    monkeypatch.setattr(docstore.collection, "decode", lambda text: decoded.append(1) or real_decode(text))

    counts = embedded_store.queue_counts(scope, domain.ALL_STATUSES, now)
    page = embedded_store.queue_page(scope, asked, now, sort, 20, 20, counts)

    assert counts["answered"] == 2800
    assert [document["_id"] for document in page] == second_page
    assert len(decoded) <= len(asked) * 40


def queue_query(scope):
    from services.routing.store import _scope_query

    return _scope_query(scope)


def test_is_open_follows_the_status_and_is_added_to_applications_stored_before_it(embedded_store):
    """The open tab reads ``is_open`` (one range in time order): it must agree with the status after
    every write, and applications stored before the field existed get it at start-up."""
    now = clock.now()
    embedded_store.applications.insert_many([
        {"_id": "2026-000901", "province_code": "06", "status": "routed", "due_at": now, "received_at": now},
        {"_id": "2026-000902", "province_code": "06", "status": "answered", "due_at": now, "received_at": now}])
    embedded_store.create_indexes()
    assert {document["_id"]: document["is_open"] for document in embedded_store.applications.find(
        {"_id": {"$in": ["2026-000901", "2026-000902"]}})} == {"2026-000901": True, "2026-000902": False}

    embedded_store.add_to_queue(domain.queued_application(received_event("2026-000903"), None))
    assert embedded_store.find_application("2026-000903")["is_open"] is True
    answered = domain.Transition("unrouted", {"status": "answered"}, {"at": now, "action": "answered", "by": "x"},
                                 {"event_name": "application_answered", "step": 1})
    assert embedded_store.apply("2026-000903", answered)
    assert embedded_store.find_application("2026-000903")["is_open"] is False
