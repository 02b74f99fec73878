"""intake's duplicate finder (services/intake/similarity.py): the reasons, the windows, Turkish-aware
comparison, and its precision and recall on a fixed Turkish sample set (tests/unit/intake/
duplicate_samples.py; the numbers are in docs/api.md#similar). Then the RPC over a real store."""
import itertools
from datetime import datetime, timedelta

import pytest

from common import clock
from common.errors import NotFound
from services.intake import similarity
from services.intake.store import IntakeStore
from tests.support.fake_relay import FakeRelay
from tests.support.samples import application_body, intake_worker, national_id, staff_principal
from tests.unit.intake.duplicate_samples import INCIDENTS

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=clock.TURKEY)
ROUTER = staff_principal("ankara.router")


def stored(number, subject, description, national="10000000146", at=T0, district="Çankaya", category="transport"):
    return {"_id": number, "subject": subject, "description": description, "received_at": at,
            "province_code": "06", "district": district, "category": category,
            "applicant": {"national_id": national}}


def sample_applications():
    """Every sample as an application of one district and category, each by another applicant,
    received an hour apart; with its incident."""
    applications = []
    for position, (incident, text) in enumerate((incident, text) for incident, texts in INCIDENTS.items()
                                                 for text in texts):
        number = "2026-{:06d}".format(position + 1)
        applicant = national_id("{:09d}".format(100000000 + position))
        applications.append((incident, stored(number, *text, national=applicant, at=T0 + timedelta(hours=position))))
    return applications


def test_texts_compare_in_turkish_whatever_the_case_letters_and_endings():
    typed = similarity.comparable_text({"subject": "SOKAK LAMBASI", "description": "Işıklar yanmıyor"})
    plain = similarity.comparable_text({"subject": "sokak lambasının", "description": "isiklar yanmiyor"})

    assert typed == plain == "sokak lamba isikl yanmi"
    assert similarity.text_similarity(typed, plain) == 1.0
    assert similarity.text_similarity("", plain) == 0.0


def test_precision_and_recall_on_the_turkish_sample_set():
    applications = sample_applications()
    true_positive = false_positive = false_negative = 0
    for (incident, application), (other_incident, other) in itertools.permutations(applications, 2):
        found = {entry["application_no"] for entry in similarity.similar(application, [other])}
        duplicate = incident == other_incident
        true_positive += duplicate and other["_id"] in found
        false_positive += not duplicate and other["_id"] in found
        false_negative += duplicate and other["_id"] not in found

    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    print("duplicate finder on {} samples: precision {:.3f}, recall {:.3f}".format(
        len(applications), precision, recall))
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_the_same_applicant_within_thirty_days_whatever_the_text():
    application = stored("2026-000001", "Sokak lambası", "Lamba yanmıyor.")
    same_later = stored("2026-000002", "Su kesintisi", "İki gündür su yok.", at=T0 + timedelta(days=29))
    same_too_late = stored("2026-000003", "Su kesintisi", "İki gündür su yok.", at=T0 + timedelta(days=31))

    found = similarity.similar(application, [same_later, same_too_late])

    assert [(entry["application_no"], entry["reasons"]) for entry in found] == [("2026-000002", ["same_applicant"])]


def test_similar_text_needs_the_same_district_and_category_within_fourteen_days():
    application = stored("2026-000001", "Sokak lambası yanmıyor", "Atatürk Caddesi 12 önündeki lamba yanmıyor.")
    text = ("Lamba arızası", "Atatürk Caddesi 12 önündeki sokak lambası yanmıyor.")
    other = "10000000219"
    candidates = [stored("2026-000002", *text, national=other, at=T0 + timedelta(days=13)),
                  stored("2026-000003", *text, national=other, at=T0 + timedelta(days=15)),
                  stored("2026-000004", *text, national=other, district="Keçiören"),
                  stored("2026-000005", *text, national=other, category="health")]

    found = similarity.similar(application, candidates)

    assert [entry["application_no"] for entry in found] == ["2026-000002"]
    assert found[0]["reasons"] == ["similar_text"] and found[0]["score"] >= similarity.TEXT_THRESHOLD


def test_the_same_applicant_comes_first_then_by_score_and_nothing_personal_is_in_an_entry():
    application = stored("2026-000001", "Sokak lambası yanmıyor", "Atatürk Caddesi 12 önündeki lamba yanmıyor.")
    neighbour = stored("2026-000002", "Sokak lambası yanmıyor", "Atatürk Caddesi 12 önündeki lamba yanmıyor.",
                       national="10000000219")
    own = stored("2026-000003", "Lamba", "Atatürk Caddesi'nde lamba arızası var, gece karanlık.")
    erased = dict(stored("2026-000004", None, None), applicant=None)

    found = similarity.similar(application, [neighbour, own, erased, application])

    assert [entry["application_no"] for entry in found] == ["2026-000003", "2026-000002"]
    assert set(found[0]) == {"application_no", "score", "reasons", "received_at", "subject"}
    assert found[1]["score"] == 1.0


# --- the RPC on a real store ----------------------------------------------------------------------

@pytest.fixture
def intake(database_on_each_engine):
    store = IntakeStore(database_on_each_engine)
    store.create_indexes()
    return intake_worker(applications=store, publish_owed_events=FakeRelay())


def submit(intake, **overrides):
    body = application_body(**dict({"province": "ankara", "district": "çankaya", "category": "transport"},
                                   **overrides))
    return intake.submit_application(body)["application_no"]


def test_the_rpc_finds_the_neighbours_application_and_keeps_to_the_province(intake):
    first = submit(intake, subject="Sokak lambası yanmıyor",
                   description="Atatürk Caddesi 12 önündeki sokak lambası üç gündür yanmıyor.")
    neighbour = submit(intake, subject="SOKAK LAMBASI", applicant=dict(
        application_body()["applicant"], national_id=national_id("100000021")),
        description="Ataturk caddesi 12 onundeki sokak lambasi yanmiyor, gece karanlik.")
    unrelated = submit(intake, subject="Otobüs seferleri", applicant=dict(
        application_body()["applicant"], national_id=national_id("100000032")),
        description="Hafta sonu otobüs seferleri çok seyrek, durakta bir saat bekliyoruz.")

    found = intake.similar_applications(ROUTER, first)

    assert [entry["application_no"] for entry in found] == [neighbour]
    assert unrelated not in str(found)
    with pytest.raises(NotFound):
        intake.similar_applications(staff_principal("istanbul.router"), first)
    with pytest.raises(NotFound):
        intake.similar_applications(ROUTER, "2026-999999")


def test_the_store_reads_candidates_through_its_indexes(intake):
    """Each candidate query is one index range (the explain names the index), not a collection scan."""
    number = submit(intake)
    application = intake.applications.find_application(number)
    names = set(intake.applications.applications.index_information())

    assert "applicant.national_id_1_received_at_1" in names
    assert "province_code_1_district_1_category_1_received_at_1" in names
    assert intake.applications.similarity_candidates(application, similarity.windows(application),
                                                     similarity.FIELDS)
