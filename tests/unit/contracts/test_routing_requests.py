"""The field rules of staff requests to routing (contracts/routing/requests.py)."""
import pytest

from common.errors import ValidationFailed
from common.fields import REQUIRED, UNKNOWN_FIELD
from contracts.routing import requests
from contracts.routing.unit_types import UNIT_TYPE_CODES

SECRET = "Gizli-0532-1234567"  # stands for anything personal a client might put in a field
PASSWORD = "on-iki-karakter-parola"


def new_ankara_unit_request(body):
    """A new unit's body as an Ankara admin sends it."""
    return requests.new_unit_request(body, "06")


def refusals(parse, body):
    with pytest.raises(ValidationFailed) as refused:
        parse(body)
    return refused.value.fields


# --- accepted ----------------------------------------------------------------------------------

def test_route_request_takes_a_unit_and_an_optional_note():
    assert requests.route_request({"unit_id": " 06-health "}) == ("06-health", None)
    assert requests.route_request({"unit_id": "06-health", "note": "  acil  "}) == ("06-health", "acil")
    assert requests.route_request({"unit_id": "06-health", "note": ""}) == ("06-health", None)


def test_contact_request_takes_a_channel_in_any_case_and_a_note():
    assert requests.contact_request({"channel": "Phone", "note": "Arandı."}) == ("phone", "Arandı.")
    assert requests.contact_request({"channel": "in_person", "note": "Görüşüldü."})[0] == "in_person"
    assert requests.contact_request({"channel": "sms", "note": "Yazıldı."})[0] == "sms"


def test_multiline_texts_keep_their_lines_with_unix_line_ends():
    assert requests.return_request({"reason": "Satır bir\r\nsatır iki\tsekme"}) == "Satır bir\nsatır iki\tsekme"
    assert requests.answer_request({"text": "Birinci satır\nikinci satır", "outcome": "negative"}) == (
        "Birinci satır\nikinci satır", "negative")


@pytest.mark.parametrize("outcome", ["positive", "negative", "informational", " Positive "])
def test_answer_outcomes(outcome):
    assert requests.answer_request({"text": "x" * 10, "outcome": outcome})[1] == outcome.strip().lower()


@pytest.mark.parametrize("parse, field, shortest, longest", [
    (lambda value: requests.return_request({"reason": value}), "reason", 5, 1000),
    (lambda value: requests.answer_request({"text": value, "outcome": "positive"})[0], "text", 10, 5000),
    (lambda value: requests.contact_request({"channel": "phone", "note": value})[1], "note", 1, 1000),
    (lambda value: requests.route_request({"unit_id": "06-health", "note": value})[1], "note", 1, 1000),
    (lambda value: new_ankara_unit_request({"name": value, "type": "health"})["name"], "name", 3, 150),
    (lambda value: requests.route_request({"unit_id": value})[0], "unit_id", 1, 100),
], ids=["reason", "answer-text", "contact-note", "route-note", "unit-name", "unit-id"])
def test_text_lengths_are_bounded_at_both_ends(parse, field, shortest, longest):
    assert parse("ş" * shortest) == "ş" * shortest
    assert parse("ş" * longest) == "ş" * longest
    for wrong in ("ş" * (longest + 1),) + (("ş" * (shortest - 1),) if shortest > 1 else ()):
        with pytest.raises(ValidationFailed) as refused:
            parse(wrong)
        assert list(refused.value.fields) == [field]


def test_queue_query_defaults():
    assert requests.queue_query({}) == {"status": None, "unit_id": None, "overdue": None, "escalated": None,
                                        "page": 1, "page_size": 20, "sort": "received"}


@pytest.mark.parametrize("sort, read", [("due", "due"), ("received", "received"), ("Status", "status"),
                                        ("newest", "received"), (" NEWEST ", "received")])
def test_queue_sorts_and_the_older_name_of_received(sort, read):
    assert requests.queue_query({"sort": sort})["sort"] == read


def test_open_is_a_status_of_the_queue():
    assert requests.queue_query({"status": "OPEN"})["status"] == "open"


def test_queue_query_reads_query_string_values():
    assert requests.queue_query({"status": "Returned", "unit_id": "06-health", "overdue": "False", "page": "3",
                                 "page_size": "100", "sort": "due"}) == {
        "status": "returned", "unit_id": "06-health", "overdue": False, "escalated": None, "page": 3, "page_size": 100,
        "sort": "due"}
    assert requests.queue_query({"page": 2, "page_size": " 5 ", "overdue": "true"})["page_size"] == 5


def test_blank_query_values_mean_not_given():
    assert requests.queue_query({"status": "", "overdue": " ", "page": ""}) == requests.queue_query({})


def test_new_unit_request():
    assert new_ankara_unit_request({"name": " Şehir Hastanesi ", "type": "health"}) == {
        "name": "Şehir Hastanesi", "name_en": None, "type": "health", "district": None}
    assert new_ankara_unit_request({"name": "Şehir Hastanesi", "name_en": "City Hospital", "type": "health",
                                    "district": "Çankaya"}) == {
        "name": "Şehir Hastanesi", "name_en": "City Hospital", "type": "health", "district": "Çankaya"}


@pytest.mark.parametrize("typed", ["çankaya", "CANKAYA", " Çankaya "])
def test_new_units_district_is_the_provinces_district_as_its_canonical_name(typed):
    assert new_ankara_unit_request({"name": "Şehir Hastanesi", "type": "health", "district": typed})[
        "district"] == "Çankaya"


@pytest.mark.parametrize("type_code", sorted(UNIT_TYPE_CODES))
def test_new_unit_takes_every_known_unit_type(type_code):
    assert new_ankara_unit_request({"name": "Yeni Birim", "type": type_code})["type"] == type_code


@pytest.mark.parametrize("province, expected", [(None, None), ("", None), (" ", None), ("06", "06"), ("6", "06"),
                                                ("ankara", "06"), (" ANKARA ", "06"), ("istanbul", "34")])
def test_units_query_names_a_known_province_or_none(province, expected):
    assert requests.units_query(province) == expected


def test_unit_changes_take_only_what_is_given():
    assert requests.unit_changes_request({"active": False}) == {"active": False}
    assert requests.unit_changes_request({"name": "Yeni Ad", "name_en": "New Name"}) == {
        "name": "Yeni Ad", "name_en": "New Name"}


@pytest.mark.parametrize("province", ["06", "6", "ankara", "ANKARA", " Ankara "])
def test_new_staff_request_normalises_username_and_province(province):
    fields = requests.new_staff_request({"username": " Ayse.Kaya ", "password": PASSWORD, "role": "Router",
                                         "province": province})

    assert fields == {"username": "ayse.kaya", "password": PASSWORD, "role": "router", "province_code": "06",
                      "unit_id": None, "display_name": None}


def test_new_staff_request_takes_a_display_name():
    fields = requests.new_staff_request({"username": "ayse.kaya", "password": PASSWORD, "role": "router",
                                         "province": "06", "display_name": "  Ayşe Kaya "})

    assert fields["display_name"] == "Ayşe Kaya"


@pytest.mark.parametrize("display_name", ["A", "ş" * 101, "Ayşe\u0000Kaya", 7])
def test_display_names_are_bounded_text(display_name):
    with pytest.raises(ValidationFailed) as refused:
        requests.staff_changes_request({"display_name": display_name})

    assert list(refused.value.fields) == ["display_name"]


@pytest.mark.parametrize("username", ["abc", "a.b", "ayse_kaya-2", "0officer", "a" * 64])
def test_usernames_accepted(username):
    assert requests.new_staff_request({"username": username, "password": PASSWORD, "role": "desk",
                                       "province": "06"})["username"] == username


def test_passwords_are_taken_as_given_within_12_to_256_characters():
    """Not trimmed: a password's spaces are part of it."""
    for password in (" padded pass ", "ş" * 12, "x" * 256):
        assert requests.staff_changes_request({"password": password}) == {"password": password}


@pytest.mark.parametrize("role", requests.ROLES)
def test_every_role_is_accepted(role):
    assert requests.staff_changes_request({"role": role}) == {"role": role}


def test_staff_changes_take_only_what_is_given():
    assert requests.staff_changes_request({"active": True, "unit_id": "06-health"}) == {
        "active": True, "unit_id": "06-health"}


# --- refused, each naming its field and never the value -----------------------------------------

REFUSED = [
    # (parse, body, the fields refused)
    (requests.route_request, {}, {"unit_id"}),
    (requests.route_request, {"unit_id": 6}, {"unit_id"}),
    (requests.route_request, {"unit_id": "06-health\x00" + SECRET}, {"unit_id"}),
    (requests.route_request, {"unit_id": "06-health", "note": SECRET * 60}, {"note"}),
    (requests.route_request, {"unit_id": "06-health", "status": SECRET}, {"status"}),
    (requests.route_request, {"unit_id": "06-health", "application_no": "2026-000001"}, {"application_no"}),
    (requests.contact_request, {"channel": "phone"}, {"note"}),
    (requests.contact_request, {"channel": SECRET, "note": "x"}, {"channel"}),
    (requests.contact_request, {"channel": "email", "note": "x"}, {"channel"}),
    (requests.contact_request, {}, {"channel", "note"}),
    (requests.return_request, {"reason": "yok"}, {"reason"}),
    (requests.return_request, {}, {"reason"}),
    (requests.return_request, {"reason": ["bir", "liste"]}, {"reason"}),
    (requests.return_request, {"reason": "Doğru birim değil", "unit_id": "06-health"}, {"unit_id"}),
    (requests.answer_request, {"text": "kısa", "outcome": "positive"}, {"text"}),
    (requests.answer_request, {"text": SECRET, "outcome": SECRET}, {"outcome"}),
    (requests.answer_request, {}, {"text", "outcome"}),
    (requests.answer_request, {"text": "Yanıt metni yeterince uzun.", "outcome": "positive", "by": SECRET}, {"by"}),
    (requests.queue_query, {"status": SECRET}, {"status"}),
    (requests.queue_query, {"overdue": "1"}, {"overdue"}),
    (requests.queue_query, {"page": "0"}, {"page"}),
    (requests.queue_query, {"page": "1000001"}, {"page"}),
    (requests.queue_query, {"page": "1.5"}, {"page"}),
    (requests.queue_query, {"page_size": "101"}, {"page_size"}),
    (requests.queue_query, {"page_size": SECRET}, {"page_size"}),
    (requests.queue_query, {"sort": SECRET}, {"sort"}),
    (requests.queue_query, {"province_code": "34"}, {"province_code"}),
    (new_ankara_unit_request, {"type": "health"}, {"name"}),
    (new_ankara_unit_request, {"name": "ab", "type": "health"}, {"name"}),
    (new_ankara_unit_request, {"name": "Birim", "type": "health", "active": False}, {"active"}),
    (new_ankara_unit_request, {"name": "Birim", "type": "health", "province": SECRET}, {"province"}),
    (new_ankara_unit_request, {"name": "Birim"}, {"type"}),
    (new_ankara_unit_request, {"name": "Birim", "type": SECRET}, {"type"}),
    (new_ankara_unit_request, {"name": "Birim", "type": "06-health"}, {"type"}),
    (new_ankara_unit_request, {"name": "Birim", "type": "hospital"}, {"type"}),
    (new_ankara_unit_request, {"name": "Birim", "type": "health", "district": "Kadıköy"}, {"district"}),
    (new_ankara_unit_request, {"name": "Birim", "type": "health", "district": SECRET}, {"district"}),
    (new_ankara_unit_request, {"name": "Birim", "type": "health", "district": 6}, {"district"}),
    (requests.units_query, "narnia", {"province"}),
    (requests.units_query, "82", {"province"}),
    (requests.units_query, SECRET, {"province"}),
    (requests.unit_changes_request, {}, {"body"}),
    (requests.unit_changes_request, {"active": "false"}, {"active"}),
    (requests.unit_changes_request, {"active": None}, {"active"}),
    (requests.unit_changes_request, {"name": SECRET * 10}, {"name"}),
    (requests.unit_changes_request, {"type": "police"}, {"type"}),
    (requests.new_staff_request, {}, {"username", "password", "role", "province"}),
    (requests.new_staff_request, {"username": "ab", "password": PASSWORD, "role": "desk", "province": "06"},
     {"username"}),
    (requests.new_staff_request, {"username": "ayşe", "password": PASSWORD, "role": "desk", "province": "06"},
     {"username"}),
    (requests.new_staff_request, {"username": "_ayse", "password": PASSWORD, "role": "desk", "province": "06"},
     {"username"}),
    (requests.new_staff_request, {"username": "a" * 65, "password": PASSWORD, "role": "desk", "province": "06"},
     {"username"}),
    (requests.new_staff_request, {"username": "ayse", "password": SECRET[:11], "role": "desk", "province": "06"},
     {"password"}),
    (requests.new_staff_request, {"username": "ayse", "password": SECRET * 20, "role": "desk", "province": "06"},
     {"password"}),
    (requests.new_staff_request, {"username": "ayse", "password": 123456789012345, "role": "desk",
                                  "province": "06"}, {"password"}),
    (requests.new_staff_request, {"username": "ayse", "password": PASSWORD, "role": "root", "province": "06"},
     {"role"}),
    (requests.new_staff_request, {"username": "ayse", "password": PASSWORD, "role": "desk", "province": SECRET},
     {"province"}),
    (requests.new_staff_request, {"username": "ayse", "password": PASSWORD, "role": "desk", "province": "82"},
     {"province"}),
    (requests.new_staff_request, {"username": "ayse", "password": PASSWORD, "role": "desk", "province": "06",
                                  "password_hash": SECRET}, {"password_hash"}),
    (requests.staff_changes_request, {}, {"body"}),
    (requests.staff_changes_request, {"role": None}, {"role"}),
    (requests.staff_changes_request, {"unit_id": None}, {"unit_id"}),
    (requests.staff_changes_request, {"active": 0}, {"active"}),
    (requests.staff_changes_request, {"password": SECRET[:5]}, {"password"}),
    (requests.staff_changes_request, {"username": SECRET}, {"username"}),
]


@pytest.mark.parametrize("parse, body, fields", REFUSED,
                         ids=["{}-{}".format(parse.__name__, "+".join(sorted(fields))) for parse, _, fields in REFUSED])
def test_refused_fields_are_named_and_their_values_never_echoed(parse, body, fields):
    reasons = refusals(parse, body)

    assert set(reasons) == fields
    for reason in reasons.values():
        assert isinstance(reason, str) and " / " in reason  # Turkish first, English after a slash
        assert SECRET not in reason and SECRET[:5] not in reason


@pytest.mark.parametrize("parse", [requests.route_request, requests.contact_request, requests.return_request,
                                   requests.answer_request, requests.queue_query, new_ankara_unit_request,
                                   requests.unit_changes_request, requests.new_staff_request,
                                   requests.staff_changes_request])
@pytest.mark.parametrize("body", [None, [], "unit_id", 6], ids=["null", "list", "string", "number"])
def test_a_body_that_is_not_an_object_is_refused_as_body(parse, body):
    assert list(refusals(parse, body)) == ["body"]


def test_unknown_and_missing_fields_are_reported_together():
    reasons = refusals(requests.answer_request, {"outcome": "positive", "answer": "x"})

    assert reasons == {"text": REQUIRED, "answer": UNKNOWN_FIELD}


@pytest.mark.parametrize("field", ["page", "page_size"])
def test_superscript_digit_is_refused_as_a_field_not_a_crash(field):
    assert list(refusals(requests.queue_query, {field: "²"})) == [field]


@pytest.mark.parametrize("digits", ["٣", "３", "1٣", "+3", "-3", "3 0", "1e2", "0x10"])
def test_page_takes_only_ascii_digits(digits):
    assert list(refusals(requests.queue_query, {"page": digits})) == ["page"]
