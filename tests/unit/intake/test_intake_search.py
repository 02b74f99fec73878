"""The staff queue's search at intake (issue 18): by application number, by the applicant's national
ID (routers and admins, audited), or by words of subject and description, Turkish-aware; the
queue's subjects. On mongomock and on the embedded store."""
from datetime import timedelta

import pytest

from common import clock
from common.errors import Forbidden, NotAllowed, ValidationFailed
from services.intake import search
from services.intake.store import SEARCH_WORDS_MIGRATION, IntakeStore
from tests.support.samples import staff_principal

NATIONAL_ID = "10000000146"
OTHER_NATIONAL_ID = "10000000078"
ISTANBUL_ROUTER = staff_principal("istanbul.router")
ISTANBUL_ADMIN = staff_principal("istanbul.admin")
ISTANBUL_UNIT = staff_principal("istanbul.health")
ANKARA_ROUTER = staff_principal("ankara.router")


# --- the rules: folding, words, what a query means --------------------------------------------

@pytest.mark.parametrize("written, folded", [
    ("IŞIK", "isik"), ("ışık", "isik"), ("Işık", "isik"), ("isik", "isik"),
    ("İzmir", "izmir"), ("IZMIR", "izmir"), ("izmir", "izmir"),
    ("Şikâyet", "sikayet"), ("ÇÖP", "cop"), ("Ğ", "g"), ("Üsküdar", "uskudar"),
])
def test_folding_makes_turkish_case_dots_and_accents_alike(written, folded):
    assert search.fold(written) == folded


def test_words_are_the_folded_words_of_two_letters_or_more_each_once():
    assert search.words("Yoldaki ÇUKUR, yoldaki çukur! a 2 ve 34-AB-12") == ["yoldaki", "cukur", "ve", "34", "ab", "12"]
    assert search.words(None) == [] and search.words("") == []
    assert search.words("İzmir'de Caddesi’ndeki") == ["izmirde", "caddesindeki"]


def test_an_application_is_found_by_its_words_and_their_stems():
    stored = search.search_words("Yoldaki çukur", "İki haftadır")

    assert stored == sorted({"yoldaki", "yol", "yolda", "cukur", "cuk", "iki", "haftadir", "haf", "hafta"})


@pytest.mark.parametrize("q, matched_by", [
    ("2026-000123", search.NUMBER), ("10000000146", search.NATIONAL_ID), ("yoldaki çukur", search.WORDS),
    ("2026-00012", search.WORDS), ("100000001466", search.WORDS), ("2026 000123", search.WORDS),
])
def test_a_query_is_a_number_a_national_id_or_words(q, matched_by):
    assert search.parse(q).matched_by == matched_by


@pytest.mark.parametrize("q", ["a", "!!", "- . -", "ı"])
def test_a_query_without_a_word_of_two_letters_means_nothing(q):
    assert search.parse(q) is None


@pytest.mark.parametrize("q, text, found", [
    ("IŞIK", "ışık yanmıyor", True),
    ("İzmir", "izmir yolunda", True),
    ("yol", "Yoldaki çukur", True),  # 3 letters and more: a prefix
    ("çukurd", "araçlar çukurda kalıyor", True),
    ("çukurlar", "araçlar çukurda kalıyor", False),
    ("ve", "sokak ve cadde", True),  # 2 letters: the whole word
    ("ve", "vergi dairesi", False),
    ("çukur ışık", "çukur var", False),  # every word
    ("çukur ışık", "ışık yok, çukur var", True),
])
def test_every_query_word_must_begin_a_word_of_the_text(q, text, found):
    assert search.matches(search.parse(q), search.search_words(text)) is found


# --- the service, on both engines -------------------------------------------------------------

@pytest.fixture
def store(database_on_each_engine):
    store = IntakeStore(database_on_each_engine)
    store.create_indexes()
    return store


def submit(intake, application_body, subject="Yoldaki çukur", description="Sokağımızda büyük bir çukur var.",
           national_id=NATIONAL_ID, **overrides):
    body = application_body(subject=subject, description=description, **overrides)
    body["applicant"]["national_id"] = national_id
    return intake.submit_application(body)["application_no"]


@pytest.fixture
def applications(intake, application_body):
    """Three İstanbul applications (two of NATIONAL_ID) and one Ankara one, oldest first."""
    return {
        "lamp": submit(intake, application_body, "Işık yanmıyor", "İzmir Caddesi'ndeki sokak lambaları yanmıyor."),
        "hole": submit(intake, application_body, "Yoldaki çukur", "Araçlar çukurda kalıyor, İZMİR yolu."),
        "noise": submit(intake, application_body, "Gürültü şikâyeti", "Gece boyunca müzik çalınıyor.",
                        national_id=OTHER_NATIONAL_ID),
        "ankara": submit(intake, application_body, "Yoldaki çukur", "Çankaya'da çukur var.", province="ankara",
                         district="çankaya"),
    }


@pytest.mark.parametrize("q, expected", [
    ("ışık", ["lamp"]), ("IŞIK", ["lamp"]), ("isik", ["lamp"]),
    ("izmir", ["hole", "lamp"]), ("İZMİR", ["hole", "lamp"]),
    ("çukur", ["hole"]), ("CUKUR araç", ["hole"]), ("yol", ["hole"]),
    ("sikayet", ["noise"]), ("çukur gürültü", []), ("belediye", []),
])
def test_words_find_the_provinces_applications_holding_every_one_newest_first(intake, applications, q, expected):
    answer = intake.find_applications(ISTANBUL_ROUTER, q)

    assert answer == {"matched_by": "words", "application_nos": [applications[name] for name in expected]}


def test_a_number_finds_that_application_in_the_province_only(intake, applications):
    assert intake.find_applications(ISTANBUL_ROUTER, applications["hole"]) == {
        "matched_by": "number", "application_nos": [applications["hole"]]}
    assert intake.find_applications(ISTANBUL_ROUTER, applications["ankara"])["application_nos"] == []
    assert intake.find_applications(ISTANBUL_ROUTER, "2026-999999")["application_nos"] == []
    assert intake.find_applications(ISTANBUL_ROUTER, "  {} ".format(applications["lamp"]))["application_nos"] == [
        applications["lamp"]]


@pytest.mark.parametrize("principal", [ISTANBUL_ROUTER, ISTANBUL_ADMIN])
def test_a_national_id_finds_the_applicants_applications_and_is_audited(intake, store, applications, principal):
    answer = intake.find_applications(principal, NATIONAL_ID)

    assert answer == {"matched_by": "national_id", "application_nos": [applications["hole"], applications["lamp"]]}
    entries = list(store.audit_log.find({}, {"_id": 0}))
    assert sorted(entry["application_no"] for entry in entries) == sorted(answer["application_nos"])
    for entry in entries:
        assert (entry["reader"], entry["role"], entry["province_code"], entry["purpose"]) == (
            principal["username"], principal["role"], "34", "search")
        assert NATIONAL_ID not in str(entry)


def test_a_national_id_search_finding_nothing_audits_nothing(intake, store, applications):
    assert intake.find_applications(ANKARA_ROUTER, OTHER_NATIONAL_ID)["application_nos"] == []
    assert store.audit_log.count_documents({}) == 0


@pytest.mark.parametrize("principal", [ISTANBUL_UNIT, staff_principal("istanbul.desk")])
def test_only_routers_and_admins_search_by_national_id(intake, store, applications, principal):
    with pytest.raises(Forbidden) as refused:
        intake.find_applications(principal, NATIONAL_ID)

    assert isinstance(refused.value, NotAllowed)  # a 403 wherever NotAllowed is
    assert refused.value.code == "national_id_search_forbidden"
    assert refused.value.message.endswith("Only routers and admins may search by national ID.")
    assert store.audit_log.count_documents({}) == 0


def test_a_unit_officer_searches_by_words_and_number(intake, applications):
    assert intake.find_applications(ISTANBUL_UNIT, "çukur")["application_nos"] == [applications["hole"]]
    assert intake.find_applications(ISTANBUL_UNIT, applications["lamp"])["application_nos"] == [applications["lamp"]]


@pytest.mark.parametrize("q, reason", [
    ("", "zorunlu alan / required"), ("   ", "zorunlu alan / required"), (None, "zorunlu alan / required"),
    ("x" * 101, "1–100 karakter olmalı / must be 1–100 characters"),
    (17, "metin olmalı / must be a string"), (["çukur"], "metin olmalı / must be a string"),
    ("çukur\x00", "denetim karakteri içeremez / must not contain control characters"),
    ("a", "en az 2 harfli bir sözcük, bir başvuru numarası (2026-000123) ya da 11 haneli T.C. kimlik no olmalı / "
          "must hold a word of at least 2 letters, an application number (2026-000123) or an 11-digit national ID"),
])
def test_a_bad_query_is_refused_naming_q(intake, q, reason):
    with pytest.raises(ValidationFailed) as refused:
        intake.find_applications(ISTANBUL_ROUTER, q)

    assert refused.value.fields == {"q": reason}


def test_at_most_a_thousand_numbers_newest_first(intake, store, application_body, monkeypatch):
    monkeypatch.setattr("services.intake.domain.SEARCH_RESULTS_LIMIT", 3)
    numbers = [submit(intake, application_body) for _ in range(5)]

    assert intake.find_applications(ISTANBUL_ROUTER, "çukur")["application_nos"] == numbers[::-1][:3]


def test_an_erased_application_is_no_longer_found_by_its_words_or_its_applicant(intake, store, applications):
    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": "KVKK silme başvurusu"})

    assert store.find_application(applications["hole"])["search_words"] is None
    assert intake.find_applications(ISTANBUL_ROUTER, "çukur")["application_nos"] == []
    assert intake.find_applications(ISTANBUL_ROUTER, NATIONAL_ID)["application_nos"] == []
    assert intake.find_applications(ISTANBUL_ROUTER, "gürültü")["application_nos"] == [applications["noise"]]


def test_applications_stored_before_the_search_get_their_words_at_start_up(intake, store, applications):
    store.applications.update_many({}, {"$unset": {"search_words": ""}})
    store.migrations.delete_many({})
    assert intake.find_applications(ISTANBUL_ROUTER, "çukur")["application_nos"] == []

    store.create_indexes()

    assert intake.find_applications(ISTANBUL_ROUTER, "çukur")["application_nos"] == [applications["hole"]]
    assert store.migrations.find_one({"_id": SEARCH_WORDS_MIGRATION}) is not None


def test_the_backfill_runs_once_per_store(store, applications, monkeypatch):
    store.applications.update_many({}, {"$unset": {"search_words": ""}})
    store.create_indexes()  # the migration is marked done: nothing is looked for again

    assert store.applications.count_documents({"search_words": {"$exists": True}}) == 0


def test_the_backfill_works_in_batches(store, application_body, intake, monkeypatch):
    monkeypatch.setattr("services.intake.store.BACKFILL_BATCH", 2)
    for _ in range(5):
        submit(intake, application_body)
    store.applications.update_many({}, {"$unset": {"search_words": ""}})
    store.migrations.delete_many({})

    store.create_indexes()

    assert store.applications.count_documents({"search_words": "cukur"}) == 5


# --- the queue's subjects ---------------------------------------------------------------------

def test_subjects_of_the_provinces_applications_none_for_others(intake, applications):
    asked = [applications["lamp"], applications["ankara"], "2026-999999", applications["lamp"]]

    assert intake.application_subjects(ISTANBUL_ROUTER, asked) == {
        applications["lamp"]: "Işık yanmıyor", applications["ankara"]: None, "2026-999999": None}
    assert intake.application_subjects(ISTANBUL_ROUTER, []) == {}


def test_an_erased_applications_subject_is_none(intake, applications):
    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": OTHER_NATIONAL_ID, "reason": "KVKK silme başvurusu"})

    assert intake.application_subjects(ISTANBUL_ROUTER, [applications["noise"], applications["hole"]]) == {
        applications["noise"]: None, applications["hole"]: "Yoldaki çukur"}


@pytest.mark.parametrize("asked", ["2026-000001", [1, 2], None, ["2026-000001"] * 1001])
def test_subjects_are_asked_for_a_list_of_numbers(intake, asked):
    with pytest.raises(ValidationFailed):
        intake.application_subjects(ISTANBUL_ROUTER, asked)


def test_subjects_read_the_store_once(intake, store, applications, monkeypatch):
    reads = []
    find = store.applications.find
    monkeypatch.setattr(store.applications, "find", lambda *args, **kwargs: reads.append(args) or find(*args, **kwargs))

    intake.application_subjects(ISTANBUL_ROUTER, list(applications.values()))

    assert len(reads) == 1 and set(reads[0][0]["_id"]["$in"]) == set(applications.values())


def test_search_words_are_kept_when_the_application_is_stored(intake, store, applications):
    document = store.find_application(applications["lamp"])

    assert {"isik", "izmir", "caddesindeki", "lambalari"} <= set(document["search_words"])
    assert document["received_at"] <= clock.now() + timedelta(seconds=1)
