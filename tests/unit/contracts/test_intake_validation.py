import copy
import dataclasses
import json
import random
import unicodedata

import pytest

from common.errors import ValidationFailed
from contracts.intake import requests as rules
from contracts.intake.catalog import CATEGORIES, DEFAULT_CATEGORY, KINDS, client_catalogue
from contracts.intake.requests import (
    CITIZEN_CHANNELS,
    DESK_CHANNELS,
    SERVER_OWNED_FIELDS,
    ValidApplication,
    national_id_checksum_ok,
    validate_application,
)

VALID_YKN = "99123456740"

APPLICANT_PATHS = [
    "applicant.national_id", "applicant.first_name", "applicant.last_name", "applicant.phone",
    "applicant.email",
]
STRING_PATHS = APPLICANT_PATHS + [
    "kind", "category", "province", "district", "subject", "description", "channel", "language",
]
WRONG_JSON_TYPES = [0, 10000000146, 5.5, True, False, [], ["text"], {}, {"nested": "text"}]


def valid_body():
    return {
        "applicant": {
            "national_id": "10000000146",
            "first_name": "Ayşe",
            "last_name": "Yılmaz",
            "phone": "0532 123 45 67",
            "email": "ayse@example.com",
        },
        "kind": "complaint",
        "category": "transport",
        "province": "Ankara",
        "district": "Çankaya",
        "subject": "Kaldırım bozuk",
        "description": "Sokağımızdaki kaldırım aylardır bozuk.",
        "channel": "web",
        "language": "tr",
    }


def locate(body, path):
    *parents, key = path.split(".")
    for parent in parents:
        body = body[parent]
    return body, key


def with_field(path, value):
    body = valid_body()
    container, key = locate(body, path)
    container[key] = value
    return body


def without_field(path):
    body = valid_body()
    container, key = locate(body, path)
    del container[key]
    return body


def accepted(body, allowed_channels=CITIZEN_CHANNELS):
    return validate_application(body, allowed_channels=allowed_channels)


def refusals(body, allowed_channels=CITIZEN_CHANNELS):
    with pytest.raises(ValidationFailed) as failure:
        validate_application(body, allowed_channels=allowed_channels)
    return failure.value.fields


def normalised(path, value):
    return getattr(accepted(with_field(path, value)), path.split(".")[-1])


def refusal(path, value):
    fields = refusals(with_field(path, value))
    assert list(fields) == [path]
    return fields[path]


def all_reasons():
    return [
        value for name, value in vars(rules).items()
        if name.isupper() and isinstance(value, str) and not name.startswith("DEFAULT_")
    ]


# --- the whole body -------------------------------------------------------------------------


def test_valid_body_gives_normalised_application():
    assert accepted(valid_body()) == ValidApplication(
        national_id="10000000146",
        first_name="Ayşe",
        last_name="Yılmaz",
        phone="+905321234567",
        email="ayse@example.com",
        kind="complaint",
        category="transport",
        province_code="06",
        province="Ankara",
        district="Çankaya",
        subject="Kaldırım bozuk",
        description="Sokağımızdaki kaldırım aylardır bozuk.",
        channel="web",
        language="tr",
    )


def test_valid_application_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        accepted(valid_body()).phone = "+905551112233"


def test_validation_leaves_the_body_unchanged():
    body = valid_body()
    accepted(body)
    assert body == valid_body()


@pytest.mark.parametrize("body", [None, [], [valid_body()], "text", 1, True, 2.5])
def test_body_that_is_not_an_object_is_refused_on_body(body):
    assert refusals(body) == {"body": rules.NOT_AN_OBJECT}


def test_empty_body_names_every_required_field():
    assert refusals({}) == {
        path: rules.REQUIRED
        for path in ["applicant", "kind", "province", "district", "subject", "description",
                     "channel"]
    }


def test_empty_applicant_names_every_required_applicant_field():
    assert refusals(with_field("applicant", {})) == {
        path: rules.REQUIRED
        for path in ["applicant.national_id", "applicant.first_name", "applicant.last_name",
                     "applicant.phone"]
    }


def test_all_faults_are_reported_together():
    body = valid_body()
    body["applicant"].update(national_id="12345678901", first_name="A1", phone="0212 123 45 67",
                             email="not-an-email", nickname="x")
    body.update(kind="praise", category="weather", province="Ankara", district="Kadıköy",
                subject="Hey", description="short", channel="desk", language="de",
                status="answered", extra=1)
    assert set(refusals(body)) == {
        "applicant.national_id", "applicant.first_name", "applicant.phone", "applicant.email",
        "applicant.nickname", "kind", "category", "district", "subject", "description", "channel",
        "language", "status", "extra",
    }


def test_every_reason_is_turkish_then_english():
    reasons = all_reasons()
    assert len(reasons) > 20
    for reason in reasons:
        turkish, english = reason.split(" / ")
        assert turkish.strip() and english.strip()


def test_allowed_channels_outside_the_known_ones_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_application(valid_body(), allowed_channels=frozenset({"fax"}))


# --- unknown and server-owned fields -------------------------------------------------------


@pytest.mark.parametrize("field", sorted(SERVER_OWNED_FIELDS))
def test_server_owned_field_is_refused_as_set_by_the_server(field):
    assert refusals(with_field(field, "anything")) == {field: rules.SET_BY_SERVER}


def test_server_owned_fields_are_the_ones_the_design_names():
    assert SERVER_OWNED_FIELDS == {
        "status", "application_no", "tracking_code", "unit", "unit_id", "received_at", "due_at",
        "timeline", "answer",
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [("nickname", "x"), ("Subject", "Kaldırım bozuk"), ("applicant.nickname", "x"),
     ("applicant.status", "received"), ("applicant.birth_place", None), ("priority", None)],
)
def test_unknown_field_is_refused_on_its_path(path, value):
    assert refusals(with_field(path, value)) == {path: rules.UNKNOWN_FIELD}


# --- wrong JSON types ----------------------------------------------------------------------


@pytest.mark.parametrize("path", STRING_PATHS)
@pytest.mark.parametrize("value", WRONG_JSON_TYPES, ids=repr)
def test_non_string_is_refused_on_its_own_path(path, value):
    assert refusals(with_field(path, value)) == {path: rules.NOT_A_STRING}


@pytest.mark.parametrize("value", ["Ayşe Yılmaz", 1, 2.5, True, [], [{"national_id": "1"}]],
                         ids=repr)
def test_applicant_that_is_not_an_object_is_refused_on_applicant(value):
    assert refusals(with_field("applicant", value)) == {"applicant": rules.NOT_AN_OBJECT}


def random_json(rng, depth=0):
    choices = [None, True, 0, -1, 1e308, "", " ", "\x00", "\ud800", "34", "İ" * 300,
               "0532 123 45 67", "10000000146", "web"]
    if depth < 3:
        choices += [
            [random_json(rng, depth + 1) for _ in range(rng.randrange(3))],
            {rng.choice(["applicant", "phone", "x", "status"]): random_json(rng, depth + 1)},
        ]
    return rng.choice(choices)


def test_random_garbage_never_raises_anything_but_validation_failed():
    rng = random.Random(20240611)
    for _ in range(3000):
        body = valid_body()
        for path in rng.sample(["applicant"] + STRING_PATHS, rng.randrange(1, 5)):
            if isinstance(body["applicant"], dict) or not path.startswith("applicant."):
                container, key = locate(body, path)
                container[key] = random_json(rng)
        if rng.random() < 0.1:
            body = random_json(rng)
        try:
            accepted(body)
        except ValidationFailed as failure:
            assert failure.fields
            assert json.loads(json.dumps(failure.fields)) == failure.fields


# --- national ID -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "national_id",
    ["10000000146", "11111111110", "34444185856", "10880383988", VALID_YKN, " 10000000146\n"],
)
def test_valid_tckn_and_ykn_are_accepted_trimmed(national_id):
    assert normalised("applicant.national_id", national_id) == national_id.strip()


def test_ykn_example_is_a_99_prefixed_foreign_resident_number():
    assert VALID_YKN.startswith("99")
    assert national_id_checksum_ok(VALID_YKN)


@pytest.mark.parametrize("national_id", ["12345678901", "10000000147", "10000000156",
                                         "99123456741", "99123456750"])
def test_wrong_check_digits_are_refused(national_id):
    assert not national_id_checksum_ok(national_id)
    assert refusal("applicant.national_id", national_id) == rules.NATIONAL_ID_INVALID


@pytest.mark.parametrize(
    "national_id",
    ["01000000146", "1000000014", "100000001460", "1000000014a", "100 000 001 46",
     "10000000-146", "+10000000146", "١٠٠٠٠٠٠٠١٤٦", "１0000000146"],
)
def test_national_id_that_is_not_eleven_ascii_digits_starting_non_zero_is_refused(national_id):
    assert refusal("applicant.national_id", national_id) == rules.NATIONAL_ID_FORMAT


def test_national_id_as_json_number_is_refused_as_not_a_string():
    assert refusal("applicant.national_id", 10000000146) == rules.NOT_A_STRING


def test_checksum_uses_non_negative_modulo():
    # 7·(1+0+0+0+0) − (9+9+9+9) = −29, whose non-negative remainder 1 is the tenth digit.
    assert normalised("applicant.national_id", "19090909018") == "19090909018"


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ayşe", "Ayşe"),
        ("  Çağrı  ", "Çağrı"),
        ("İsmail", "İsmail"),
        ("Ayşe   Nur", "Ayşe Nur"),
        ("Mehmet-Ali", "Mehmet-Ali"),
        ("O'Neil", "O'Neil"),
        ("D’Angelo", "D’Angelo"),
        ("Zoë", "Zoë"),
        ("José María", "José María"),
        ("Đorđe", "Đorđe"),
        ("Ли", "Ли"),
        ("Öz", "Öz"),
        (unicodedata.normalize("NFD", "Gülşen"), "Gülşen"),
        ("Ş" * 50, "Ş" * 50),
    ],
)
def test_names_of_letters_with_single_separators_are_accepted_and_tidied(name, expected):
    assert normalised("applicant.first_name", name) == expected
    assert normalised("applicant.last_name", name) == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("A", rules.NAME_LENGTH_REASON),
        ("  A  ", rules.NAME_LENGTH_REASON),
        ("Ş" * 51, rules.NAME_LENGTH_REASON),
        ("Ayşe2", rules.NAME_DIGITS),
        ("4li", rules.NAME_DIGITS),
        ("Ali ٣", rules.NAME_DIGITS),
        ("Ali_Veli", rules.NAME_CHARACTERS),
        ("Ali--Veli", rules.NAME_CHARACTERS),
        ("Ali - Veli", rules.NAME_CHARACTERS),
        ("-Ali", rules.NAME_CHARACTERS),
        ("Ali'", rules.NAME_CHARACTERS),
        ("Ali.", rules.NAME_CHARACTERS),
        ("Ali@Veli", rules.NAME_CHARACTERS),
        ("Ali 🙂", rules.NAME_CHARACTERS),
        ("Ali\tVeli", rules.CONTROL_CHARACTER),
        ("Ali\nVeli", rules.CONTROL_CHARACTER),
    ],
)
def test_bad_names_are_refused(name, reason):
    assert refusal("applicant.first_name", name) == reason
    assert refusal("applicant.last_name", name) == reason


# --- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "0532 123 45 67", "05321234567", "+90 532 123 45 67", "+905321234567", "90532 123 45 67",
        "905321234567", "5321234567", "532 123 45 67", "0532-123-45-67", "0532.123.45.67",
        "(0532) 123 45 67", "+90 (532) 123-45-67", "0090 532 123 45 67", " 0532 123 45 67 ",
    ],
)
def test_usual_spellings_of_a_turkish_mobile_become_e164(phone):
    assert normalised("applicant.phone", phone) == "+905321234567"


@pytest.mark.parametrize(
    "phone",
    ["0212 123 45 67", "+90 212 123 45 67", "0312 123 45 67", "0850 123 45 67",
     "+44 7911 123456", "+1 202 555 0143", "+49 151 23456789", "+994 50 123 45 67"],
)
def test_landlines_and_foreign_numbers_are_refused(phone):
    assert refusal("applicant.phone", phone) == rules.PHONE_NOT_TURKISH_MOBILE


@pytest.mark.parametrize(
    "phone",
    ["0532 123 45 6", "0532 123 45 678 9", "123", "0532 ABC 45 67", "0532 123 45 67 ext. 12",
     "0532/123 45 67", "+", "0" * 300, "٠٥٣٢١٢٣٤٥٦٧"],
)
def test_malformed_phone_numbers_are_refused(phone):
    assert refusal("applicant.phone", phone) == rules.PHONE_INVALID


def test_the_phone_check_agrees_with_phonenumbers_definition_on_every_kind_of_number():
    """The check accepts a Turkish mobile in one pass over the patterns; what it answers must be
    what phonenumbers' full validity and type checks answer, over 5,000 numbers of every shape."""
    import phonenumbers

    def by_definition(spelt):
        try:
            number = phonenumbers.parse(spelt, "TR")
        except phonenumbers.NumberParseException:
            return rules.PHONE_INVALID
        if not phonenumbers.is_valid_number(number):
            return rules.PHONE_INVALID
        if number.country_code != 90 or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            return rules.PHONE_NOT_TURKISH_MOBILE
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    rng = random.Random(20)
    prefixes = ["0", "+90 ", "0090 ", "", "+44 ", "+1 ", "+49 ", "+994 ", "+357 ", "05", "+90 5", "053", "+90 54"]
    kinds = {"accepted": 0, rules.PHONE_INVALID: 0, rules.PHONE_NOT_TURKISH_MOBILE: 0}
    for _ in range(5000):
        spelt = rng.choice(prefixes) + "".join(rng.choice("0123456789") for _ in range(rng.choice([9, 10, 10, 11])))
        expected = by_definition(spelt)
        answer = refusal("applicant.phone", spelt) if expected in kinds else normalised("applicant.phone", spelt)
        assert answer == expected, spelt
        kinds[expected if expected in kinds else "accepted"] += 1
    assert all(count > 100 for count in kinds.values()), kinds  # every branch was met


# --- email -----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [with_field("applicant.email", None),
                                  with_field("applicant.email", "  "),
                                  without_field("applicant.email")])
def test_email_is_optional(body):
    assert accepted(body).email is None


@pytest.mark.parametrize(
    ("email", "expected"),
    [("ayse@example.com", "ayse@example.com"), (" Ayse@EXAMPLE.com ", "Ayse@example.com"),
     ("ayşe@örnek.com.tr", "ayşe@örnek.com.tr")],
)
def test_email_is_normalised(email, expected):
    assert normalised("applicant.email", email) == expected


@pytest.mark.parametrize(
    "email",
    ["ayse", "ayse@", "@example.com", "ayse@@example.com", "a b@example.com",
     "ayse@example", "ayse@-example.com", "a" * 300 + "@example.com", "ayse@example.com\x00"],
)
def test_bad_email_is_refused(email):
    assert refusal("applicant.email", email) in {rules.EMAIL_INVALID, rules.CONTROL_CHARACTER}


# --- province and district -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "district", "code", "name", "district_name"),
    [
        ("istanbul", "kadikoy", "34", "İstanbul", "Kadıköy"),
        ("İSTANBUL", "KADIKÖY", "34", "İstanbul", "Kadıköy"),
        ("Istanbul", "Kadıköy", "34", "İstanbul", "Kadıköy"),
        ("34", "Üsküdar", "34", "İstanbul", "Üsküdar"),
        ("06", "çankaya", "06", "Ankara", "Çankaya"),
        ("6", "CANKAYA", "06", "Ankara", "Çankaya"),
        ("sanliurfa", "Eyyübiye", "63", "Şanlıurfa", "Eyyübiye"),
        ("Şanlıurfa", "haliliye", "63", "Şanlıurfa", "Haliliye"),
        ("ISPARTA", "merkez", "32", "Isparta", "Merkez"),
    ],
)
def test_province_and_district_are_matched_loosely_and_returned_canonical(
    province, district, code, name, district_name
):
    body = valid_body()
    body.update(province=province, district=district)
    application = accepted(body)
    assert (application.province_code, application.province, application.district) == (
        code, name, district_name
    )


@pytest.mark.parametrize("province", ["Atlantis", "82", "0", "00", "istanbull"])
def test_unknown_province_is_refused_and_district_left_unjudged(province):
    assert refusals(with_field("province", province)) == {"province": rules.PROVINCE_UNKNOWN}


@pytest.mark.parametrize("district", ["Kadıköy", "Atlantis", "Haliliye"])
def test_district_outside_the_province_is_refused(district):
    assert refusal("district", district) == rules.DISTRICT_UNKNOWN


def test_district_is_required_even_when_the_province_is_unknown():
    body = without_field("district")
    body["province"] = "Atlantis"
    assert refusals(body) == {"province": rules.PROVINCE_UNKNOWN, "district": rules.REQUIRED}


# --- kind, category, channel, language -------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_accepted(kind):
    assert normalised("kind", kind) == kind


@pytest.mark.parametrize("kind", ["praise", "Şikâyet", "request complaint"])
def test_unknown_kind_is_refused(kind):
    assert refusal("kind", kind) == rules.KIND_UNKNOWN


def test_codes_are_matched_after_trimming_and_lowercasing():
    body = valid_body()
    body.update(kind=" Complaint ", category="HEALTH", channel="Web", language="EN")
    application = accepted(body)
    assert (application.kind, application.category, application.channel,
            application.language) == ("complaint", "health", "web", "en")


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_category_is_accepted(category):
    assert normalised("category", category) == category


@pytest.mark.parametrize("body", [without_field("category"), with_field("category", None),
                                  with_field("category", "")])
def test_missing_category_is_general(body):
    assert accepted(body).category == DEFAULT_CATEGORY == "general"


@pytest.mark.parametrize("category", ["weather", "genel", "Eğitim"])
def test_unknown_category_is_refused(category):
    assert refusal("category", category) == rules.CATEGORY_UNKNOWN


@pytest.mark.parametrize(
    ("channel", "allowed"),
    [("web", CITIZEN_CHANNELS), ("app", CITIZEN_CHANNELS), ("desk", DESK_CHANNELS)],
)
def test_channel_allowed_at_the_entry_point_is_accepted(channel, allowed):
    assert accepted(with_field("channel", channel), allowed).channel == channel


@pytest.mark.parametrize(
    ("channel", "allowed"),
    [("desk", CITIZEN_CHANNELS), ("web", DESK_CHANNELS), ("app", DESK_CHANNELS)],
)
def test_channel_not_allowed_at_the_entry_point_is_refused(channel, allowed):
    assert refusals(with_field("channel", channel), allowed) == {
        "channel": rules.CHANNEL_NOT_ALLOWED
    }


@pytest.mark.parametrize("channel", ["fax", "sms", "webapp"])
def test_unknown_channel_is_refused(channel):
    assert refusal("channel", channel) == rules.CHANNEL_UNKNOWN


@pytest.mark.parametrize("body", [without_field("language"), with_field("language", None)])
def test_missing_language_is_turkish(body):
    assert accepted(body).language == "tr"


@pytest.mark.parametrize("language", ["de", "tr-TR", "turkish"])
def test_unknown_language_is_refused(language):
    assert refusal("language", language) == rules.LANGUAGE_UNKNOWN


# --- subject and description -----------------------------------------------------------------


@pytest.mark.parametrize(("subject", "expected"),
                         [("Yol !", "Yol !"), ("  Yollar  ", "Yollar"), ("ş" * 150, "ş" * 150)])
def test_subject_of_5_to_150_characters_is_accepted_trimmed(subject, expected):
    assert normalised("subject", subject) == expected


@pytest.mark.parametrize("subject", ["Yol", "  Yol   ", "ş" * 151])
def test_subject_of_wrong_length_is_refused(subject):
    assert refusal("subject", subject) == rules.SUBJECT_LENGTH_REASON


@pytest.mark.parametrize("subject", ["Yol\nbozuk", "Yol\tbozuk", "Yol\x00bozuk", "Yol\x1bbozuk",
                                     "Yol\u0085bozuk", "Yol\ud800bozuk"])
def test_subject_with_control_characters_is_refused(subject):
    assert refusal("subject", subject) == rules.CONTROL_CHARACTER


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("On harfli!", "On harfli!"),
        ("  Satır bir\n\tsatır iki  \n", "Satır bir\n\tsatır iki"),
        ("Satır bir\r\nsatır iki\rüç", "Satır bir\nsatır iki\nüç"),
        ("ç" * 5000, "ç" * 5000),
    ],
)
def test_description_of_10_to_5000_characters_keeps_its_layout(description, expected):
    assert normalised("description", description) == expected


@pytest.mark.parametrize("description", ["Dokuz har", "   kısa    ", "ç" * 5001])
def test_description_of_wrong_length_is_refused(description):
    assert refusal("description", description) == rules.DESCRIPTION_LENGTH_REASON


@pytest.mark.parametrize("description", ["Uzun bir\x00 metin", "Uzun bir\x07 metin",
                                         "Uzun bir\x0b metin", "Uzun bir\ud800 metin"])
def test_description_with_other_control_characters_is_refused(description):
    assert refusal("description", description) == rules.CONTROL_CHARACTER


# --- required fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["applicant", "applicant.national_id", "applicant.first_name", "applicant.last_name",
     "applicant.phone", "kind", "province", "district", "subject", "description", "channel"],
)
@pytest.mark.parametrize("absence", ["missing", None, "", "   "], ids=repr)
def test_absent_required_field_is_refused_as_required(path, absence):
    body = without_field(path) if absence == "missing" else with_field(path, absence)
    assert refusals(body) == {path: rules.REQUIRED}


# --- privacy: reasons never echo the value ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("applicant.national_id", "12345678901"),
        ("applicant.national_id", "98765x43210"),
        ("applicant.first_name", "Gizli9Ad"),
        ("applicant.last_name", "Gizli_Soyad"),
        ("applicant.phone", "0212 987 65 43"),
        ("applicant.phone", "+44 7911 123456"),
        ("applicant.phone", "0532 98 76"),
        ("applicant.email", "gizli.kisi@@example.com"),
        ("province", "Gizliyurt"),
        ("district", "Gizlikoy"),
        ("kind", "gizli-tur"),
        ("category", "gizli-kategori"),
        ("channel", "gizli-kanal"),
        ("language", "gizli-dil"),
        ("subject", "Gzli"),
        ("description", "Gizli\x00metin"),
    ],
)
def test_reasons_never_contain_the_submitted_value(path, value):
    reason = refusal(path, value)
    assert value not in reason
    assert value.strip().lower() not in reason.lower()


def test_refusals_of_personal_data_leave_no_trace_of_it_anywhere():
    body = copy.deepcopy(valid_body())
    body["applicant"].update(national_id="12345678901", phone="0212 987 65 43",
                             first_name="Gizli9Ad")
    with pytest.raises(ValidationFailed) as failure:
        accepted(body)
    shown = json.dumps(failure.value.args, ensure_ascii=False) + str(failure.value)
    for secret in ("12345678901", "987 65 43", "9876543", "Gizli9Ad"):
        assert secret not in shown


# --- catalogue -------------------------------------------------------------------------------


def test_kinds_answer_within_seven_days():
    assert list(KINDS) == ["request", "complaint", "suggestion"]
    assert all(kind.answer_days == 7 for kind in KINDS.values())


def test_catalogue_for_clients_lists_kinds_categories_and_provinces():
    catalogue = client_catalogue()
    assert set(catalogue) == {"kinds", "categories", "provinces"}
    assert catalogue["kinds"][1] == {"code": "complaint",
                                     "name": {"tr": "Şikâyet", "en": "Complaint"}}
    assert [category["code"] for category in catalogue["categories"]] == list(CATEGORIES)
    assert catalogue["categories"][0] == {"code": "general",
                                          "name": {"tr": "Genel", "en": "General"}}
    assert len(catalogue["categories"]) >= 12
    assert len(catalogue["provinces"]) == 81
    assert sum(len(province["districts"]) for province in catalogue["provinces"]) == 973
    assert json.loads(json.dumps(catalogue)) == catalogue


def test_catalogue_tables_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        KINDS["praise"] = KINDS["request"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATEGORIES["general"].code = "misc"
