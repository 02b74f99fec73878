"""Tracking's statistics: the pure computation (percentiles, on-time share, overdue, scope, the
query's rules) and the RPC over the read model on mongomock."""
from datetime import date, datetime, timedelta

import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import NotAllowed, NotFound, ValidationFailed
from contracts.events import new_event
from contracts.tracking import requests
from docstore import EmbeddedClient
from services.tracking import statistics
from services.tracking.service import TrackingService
from services.tracking.store import TrackingStore
from tests.support.samples import staff_principal

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=clock.TURKEY)
HEALTH = {"unit_id": "06-cankaya-health", "name": "Çankaya İlçe Sağlık Müdürlüğü"}
EDUCATION = {"unit_id": "06-national_education", "name": "İl Milli Eğitim Müdürlüğü"}
ROUTER, ADMIN = staff_principal("ankara.router"), staff_principal("ankara.admin")
HEALTH_OFFICER, DESK = staff_principal("ankara.health"), staff_principal("ankara.desk")


def document(number, *, received=T0, due_days=7, unit=None, answered_after_hours=None, returned=False,
             kind="complaint", channel="web"):
    """A read-model document as tracking keeps it (only what statistics read)."""
    timeline = [{"at": received, "status": "received", "event_id": number + "r", "step": 0}]
    if unit:
        timeline.append({"at": received + timedelta(hours=1), "status": "routed", "event_id": number + "o",
                         "step": 1, "unit": unit})
    if returned:
        timeline.append({"at": received + timedelta(hours=2), "status": "returned", "event_id": number + "t",
                         "step": 2})
    doc = {"_id": number, "application_no": number, "kind": kind, "channel": channel, "received_at": received,
           "due_at": received + timedelta(days=due_days), "timeline": timeline}
    if answered_after_hours is not None:
        answered_at = received + timedelta(hours=answered_after_hours)
        doc["answer"] = {"answered_at": answered_at}
        timeline.append({"at": answered_at, "status": "answered", "event_id": number + "a", "step": 2})
    return doc


# --- percentiles --------------------------------------------------------------------------------

def test_percentile_interpolates_between_the_closest_ranks():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

    assert statistics.percentile(values, 0.5) == 5.5
    assert statistics.percentile(values, 0.9) == pytest.approx(9.1)
    assert statistics.percentile([4, 1, 3], 0.5) == 3
    assert statistics.percentile([10, 20], 0.9) == pytest.approx(19)


def test_percentile_of_one_value_is_that_value_and_of_none_is_none():
    assert statistics.percentile([7.5], 0.5) == statistics.percentile([7.5], 0.9) == 7.5
    assert statistics.percentile([], 0.5) is None


# --- the computation ----------------------------------------------------------------------------

def test_counts_by_status_kind_channel_and_unit():
    documents = [
        document("2026-000001"),
        document("2026-000002", unit=HEALTH, kind="request", channel="desk"),
        document("2026-000003", unit=HEALTH, answered_after_hours=30),
        document("2026-000004", unit=EDUCATION, returned=True, channel="app"),
        document("2026-000005", unit=EDUCATION, answered_after_hours=10, kind="suggestion"),
    ]

    stats = statistics.statistics(documents, T0 + timedelta(days=1))

    assert stats["total"] == 5
    assert stats["by_status"] == {"received": 1, "routed": 1, "returned": 1, "answered": 2, "objected": 0}
    assert stats["by_kind"] == {"complaint": 3, "request": 1, "suggestion": 1}
    assert stats["by_channel"] == {"app": 1, "desk": 1, "web": 3}
    assert stats["by_unit"] == [
        dict(HEALTH, total=2, answered=1, overdue=0, escalated=0),
        dict(EDUCATION, total=1, answered=1, overdue=0, escalated=0),  # the returned one is with no unit now
    ]


def test_every_status_is_counted_even_at_zero():
    stats = statistics.statistics([], T0)

    assert stats["total"] == 0
    assert stats["by_status"] == {"received": 0, "routed": 0, "returned": 0, "answered": 0, "objected": 0}
    assert stats["answered"] == {"count": 0, "on_time": 0, "on_time_share": None, "median_hours": None,
                                 "p90_hours": None}
    assert stats["overdue"] == {"count": 0, "items": []}


def test_on_time_share_is_of_the_answered_ones_and_the_due_time_itself_is_on_time():
    documents = [
        document("2026-000001", unit=HEALTH, answered_after_hours=24),
        document("2026-000002", unit=HEALTH, answered_after_hours=7 * 24),  # exactly at the due time
        document("2026-000003", unit=HEALTH, answered_after_hours=7 * 24 + 1),  # an hour late
        document("2026-000004", unit=HEALTH),  # not answered: not in the share
    ]

    answered = statistics.statistics(documents, T0 + timedelta(days=2))["answered"]

    assert (answered["count"], answered["on_time"]) == (3, 2)
    assert answered["on_time_share"] == pytest.approx(0.6667)


def test_median_and_90th_percentile_hours_to_answer():
    documents = [document("2026-%06d" % hours, unit=HEALTH, answered_after_hours=hours) for hours in range(1, 11)]

    answered = statistics.statistics(documents, T0 + timedelta(days=30))["answered"]

    assert answered["median_hours"] == 5.5
    assert answered["p90_hours"] == 9.1


def test_overdue_are_the_unanswered_past_their_due_time_most_overdue_first():
    now = T0 + timedelta(days=9)
    documents = [
        document("2026-000001", unit=HEALTH),  # due day 7: two days over
        document("2026-000002", due_days=8),  # unrouted, due day 8: one day over
        document("2026-000003", unit=HEALTH, answered_after_hours=8 * 24),  # answered late: not overdue
        document("2026-000004", unit=HEALTH, due_days=10),  # not due yet
    ]

    overdue = statistics.statistics(documents, now)["overdue"]

    assert overdue["count"] == 2
    assert overdue["items"] == [
        {"application_no": "2026-000001", "unit": HEALTH, "due_at": "2026-03-09T10:00:00+03:00",
         "overdue_hours": 48.0},
        {"application_no": "2026-000002", "unit": None, "due_at": "2026-03-10T10:00:00+03:00",
         "overdue_hours": 24.0},
    ]


def test_the_overdue_list_is_capped_but_the_count_is_not():
    documents = [document("2026-%06d" % number, unit=HEALTH) for number in range(1, 6)]

    overdue = statistics.statistics(documents, T0 + timedelta(days=8), overdue_limit=3)["overdue"]

    assert overdue["count"] == 5
    assert [item["application_no"] for item in overdue["items"]] == ["2026-000001", "2026-000002", "2026-000003"]


def test_overdue_entries_hold_nothing_personal():
    [entry] = statistics.statistics([document("2026-000001", unit=HEALTH)], T0 + timedelta(days=8))["overdue"]["items"]

    assert set(entry) == {"application_no", "unit", "due_at", "overdue_hours"}


def test_a_unit_filter_keeps_what_is_with_that_unit_now():
    documents = [document("2026-000001", unit=HEALTH), document("2026-000002", unit=EDUCATION),
                 document("2026-000003", unit=HEALTH, returned=True), document("2026-000004")]

    stats = statistics.statistics(documents, T0, unit_id=HEALTH["unit_id"])

    assert stats["total"] == 1
    assert [row["unit_id"] for row in stats["by_unit"]] == [HEALTH["unit_id"]]


def test_events_in_any_order_give_the_same_status_and_unit():
    doc = document("2026-000001", unit=HEALTH, answered_after_hours=5)
    doc["timeline"].reverse()

    stats = statistics.statistics([doc], T0)

    assert stats["by_status"]["answered"] == 1
    assert stats["by_unit"][0]["unit_id"] == HEALTH["unit_id"]


# --- scope --------------------------------------------------------------------------------------

def test_routers_and_admins_see_their_province_and_may_narrow_to_a_unit():
    assert statistics.stats_scope(ROUTER, None, None) == ("06", None)
    assert statistics.stats_scope(ADMIN, "06", "06-cankaya-health") == ("06", "06-cankaya-health")


def test_another_province_is_not_found():
    with pytest.raises(NotFound):
        statistics.stats_scope(ROUTER, "34", None)


def test_a_unit_officer_sees_only_their_unit():
    assert statistics.stats_scope(HEALTH_OFFICER, None, None) == ("06", "06-cankaya-health")
    assert statistics.stats_scope(HEALTH_OFFICER, "06", "06-cankaya-health") == ("06", "06-cankaya-health")
    with pytest.raises(NotFound):
        statistics.stats_scope(HEALTH_OFFICER, None, "06-national_education")
    with pytest.raises(NotFound):
        statistics.stats_scope(dict(HEALTH_OFFICER, unit_id=None), None, None)


def test_desk_officers_get_no_statistics():
    with pytest.raises(NotAllowed):
        statistics.stats_scope(DESK, None, None)


# --- the query ----------------------------------------------------------------------------------

TODAY = date(2026, 11, 28)


def test_the_default_period_is_the_last_30_days():
    wanted = requests.stats_query({}, TODAY)

    assert (wanted["from"], wanted["to"]) == (date(2026, 10, 30), TODAY)
    assert (wanted["province"], wanted["unit_id"]) == (None, None)


def test_a_period_from_a_day_alone_is_30_days_long():
    wanted = requests.stats_query({"from": "2026-01-01"}, TODAY)

    assert (wanted["from"], wanted["to"]) == (date(2026, 1, 1), date(2026, 1, 30))


def test_province_by_name_or_plate_code():
    assert requests.stats_query({"province": "Ankara"}, TODAY)["province"] == "06"
    assert requests.stats_query({"province": "6"}, TODAY)["province"] == "06"


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-13-01"}, "from"),
    ({"to": "28.11.2026"}, "to"),
    ({"from": "1999-12-31"}, "from"),
    ({"to": "0001-01-01"}, "to"),
    ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
    ({"from": "2024-01-01", "to": "2026-01-01"}, "from"),
    ({"province": "atlantis"}, "province"),
    ({"unit_id": "x" * 101}, "unit_id"),
    ({"page": "2"}, "page"),
])
def test_bad_queries_are_refused_naming_the_field(query, field):
    with pytest.raises(ValidationFailed) as refused:
        requests.stats_query(query, TODAY)

    assert set(refused.value.fields) == {field}


def test_a_period_of_366_days_is_allowed():
    wanted = requests.stats_query({"from": "2024-01-01", "to": "2024-12-31"}, TODAY)

    assert (wanted["to"] - wanted["from"]).days == 365


def test_period_bounds_are_days_in_turkeys_time():
    start, end = statistics.period_bounds(date(2026, 3, 1), date(2026, 3, 31))

    assert clock.to_iso(start) == "2026-03-01T00:00:00+03:00"
    assert clock.to_iso(end) == "2026-04-01T00:00:00+03:00"


# --- the RPC over the read model ------------------------------------------------------------------

@pytest.fixture(params=["mongomock", "embedded"])
def tracking(request, mongo_db, tmp_path):
    """On mongomock and on the embedded engine (whose query subset the store must keep to)."""
    database = mongo_db if request.param == "mongomock" else EmbeddedClient(
        "sqlite:///{}".format(tmp_path / "tracking.db")).get_database("tracking")
    store = TrackingStore(database)
    store.create_indexes()
    return worker_factory(TrackingService, applications=store)


def _receive(tracking, received_event, number, received_at, province_code="06", **extra):
    due_at = clock.from_iso(received_at) + timedelta(days=7)
    tracking.handle_application_received(received_event(
        number, province="Ankara" if province_code == "06" else "İstanbul", province_code=province_code,
        received_at=received_at, due_at=clock.to_iso(due_at), **extra))


def _route(tracking, number, unit, at, step=1):
    event = new_event("application_routed", number, unit_id=unit["unit_id"], unit_name=unit["name"],
                      routed_by="ankara.router", due_at="2026-03-09T10:15:00+03:00", step=step)
    tracking.handle_application_routed(dict(event, occurred_at=at))  # the timeline orders by it


def _answer(tracking, number, unit, answered_at, step=2):
    tracking.handle_application_answered(new_event(
        "application_answered", number, unit_id=unit["unit_id"], outcome="positive",
        answer_text="Başvurunuz incelendi.", answered_at=answered_at, step=step,
        answers_objection=False, verification_code="7KQ2M-9XH4T"))


def test_statistics_of_a_period_from_the_read_model(tracking, received_event, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 20, 12, 0, tzinfo=clock.TURKEY))
    _receive(tracking, received_event, "2026-000001", "2026-03-02T10:00:00+03:00")
    _route(tracking, "2026-000001", HEALTH, "2026-03-02T11:00:00+03:00")
    _answer(tracking, "2026-000001", HEALTH, "2026-03-03T10:00:00+03:00")
    _receive(tracking, received_event, "2026-000002", "2026-03-05T09:00:00+03:00", channel="app")
    _route(tracking, "2026-000002", EDUCATION, "2026-03-05T10:00:00+03:00")
    _receive(tracking, received_event, "2026-000003", "2026-03-01T00:00:00+03:00")  # the first moment
    _receive(tracking, received_event, "2026-000004", "2026-02-28T23:59:59+03:00")  # the day before
    _receive(tracking, received_event, "2026-000005", "2026-04-01T00:00:00+03:00")  # the day after
    _receive(tracking, received_event, "2026-000006", "2026-03-10T10:00:00+03:00", province_code="34")

    stats = tracking.get_statistics(ROUTER, {"from": "2026-03-01", "to": "2026-03-31"})

    assert (stats["province_code"], stats["unit_id"], stats["from"], stats["to"]) == (
        "06", None, "2026-03-01", "2026-03-31")
    assert stats["total"] == 3
    assert stats["by_status"] == {"received": 1, "routed": 1, "returned": 0, "answered": 1, "objected": 0}
    assert stats["by_channel"] == {"app": 1, "web": 2}
    assert stats["answered"] == {"count": 1, "on_time": 1, "on_time_share": 1.0, "median_hours": 24.0,
                                 "p90_hours": 24.0}
    assert [item["application_no"] for item in stats["overdue"]["items"]] == ["2026-000003", "2026-000002"]
    assert stats["overdue"]["items"][1]["unit"] == EDUCATION


def test_a_unit_officer_gets_their_units_statistics(tracking, received_event):
    today = clock.now().replace(microsecond=0)
    _receive(tracking, received_event, "2026-000001", clock.to_iso(today - timedelta(hours=3)))
    _route(tracking, "2026-000001", HEALTH, clock.to_iso(today - timedelta(hours=2)))
    _receive(tracking, received_event, "2026-000002", clock.to_iso(today - timedelta(hours=3)))

    stats = tracking.get_statistics(HEALTH_OFFICER, {})

    assert (stats["unit_id"], stats["total"]) == ("06-cankaya-health", 1)
    assert stats["by_unit"] == [dict(HEALTH, total=1, answered=0, overdue=0, escalated=0)]


def test_statistics_refuse_another_province_and_bad_dates(tracking):
    with pytest.raises(NotFound):
        tracking.get_statistics(ROUTER, {"province": "istanbul"})
    with pytest.raises(ValidationFailed) as refused:
        tracking.get_statistics(ROUTER, {"from": "yesterday"})
    assert set(refused.value.fields) == {"from"}


def test_the_store_reads_the_period_through_the_province_and_received_at_index(tracking):
    indexes = tracking.applications.applications.index_information()

    assert [("province_code", 1), ("received_at", 1)] in [spec["key"] for spec in indexes.values()]
