"""The field rules of an application body, checked all at once (docs/api.md#validation).

Every refusal is collected under its field path and raised together as ``ValidationFailed``, so a
form can mark all its faulty fields in one round trip. Reasons name the rule, never the submitted
value: that value may be personal data and reasons end up in responses and logs.

Conventions the rules share:
- every field is a JSON string; a number, list or object in its place is refused (a national ID
  sent as a number too: the API says string, and a number would hide how the client is wrong);
- a missing field, ``null`` and a blank string all count as absent (HTML forms send blank inputs);
- codes (kind, category, channel, language) are matched after trimming and lowercasing.
"""
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from common.errors import ValidationFailed
from common.fields import (  # noqa: F401  (the shared reasons are part of this module's vocabulary)
    CONTROL_CHARACTER,
    NOT_A_STRING,
    NOT_AN_OBJECT,
    REQUIRED,
    SET_BY_SERVER,
    UNKNOWN_FIELD,
    Field,
    FieldCheck,
    Refused,
    Rule,
    body_schema,
    bounded_text,
    described,
    nested,
    one_of,
    read_fields,
    text,
)
from common.places import Province, places
from contracts.intake.catalog import CATEGORIES, DEFAULT_CATEGORY, KINDS
from messages import bilingual

CHANNELS = frozenset({"web", "app", "desk"})
CITIZEN_CHANNELS = frozenset({"web", "app"})
DESK_CHANNELS = frozenset({"desk"})
OPEN311_CHANNELS = frozenset({"app"})  # an Open311 client app applies for the citizen, as our own app does
LANGUAGES = frozenset({"tr", "en"})
DEFAULT_LANGUAGE = "tr"

SERVER_OWNED_FIELDS = frozenset({
    "status", "application_no", "tracking_code", "unit", "unit_id", "received_at", "due_at",
    "timeline", "answer",
})

NAME_LENGTH = range(2, 51)
SUBJECT_LENGTH = range(5, 151)
DESCRIPTION_LENGTH = range(10, 5001)

NATIONAL_ID_FORMAT = bilingual("intake.national_id_format")
NATIONAL_ID_INVALID = bilingual("intake.national_id_invalid")
PHONE_INVALID = bilingual("intake.phone_invalid")
PHONE_NOT_TURKISH_MOBILE = bilingual("intake.phone_not_turkish_mobile")
NAME_DIGITS = bilingual("intake.name_digits")
NAME_CHARACTERS = bilingual("intake.name_characters")
NAME_LENGTH_REASON = bilingual("field.length", shortest=NAME_LENGTH.start, longest=NAME_LENGTH.stop - 1)
EMAIL_INVALID = bilingual("intake.email_invalid")
PROVINCE_UNKNOWN = bilingual("field.province_unknown")
DISTRICT_UNKNOWN = bilingual("intake.district_unknown")
KIND_UNKNOWN = bilingual("intake.kind_unknown")
CATEGORY_UNKNOWN = bilingual("intake.category_unknown")
CHANNEL_UNKNOWN = bilingual("intake.channel_unknown")
CHANNEL_NOT_ALLOWED = bilingual("intake.channel_not_allowed")
LANGUAGE_UNKNOWN = bilingual("intake.language_unknown")
SUBJECT_LENGTH_REASON = bilingual("field.length", shortest=SUBJECT_LENGTH.start, longest=SUBJECT_LENGTH.stop - 1)
DESCRIPTION_LENGTH_REASON = bilingual("field.length", shortest=DESCRIPTION_LENGTH.start,
                                      longest=DESCRIPTION_LENGTH.stop - 1)
PRIVACY_NOTICE_VERSION_FORMAT = bilingual("intake.privacy_notice_version_format")
BIRTH_YEAR_FORMAT = bilingual("intake.birth_year_format")
BIRTH_DATE_FORMAT = bilingual("intake.birth_date_format")
BIRTH_OUT_OF_RANGE = bilingual("intake.birth_out_of_range")
VERIFICATION_ID_FORMAT = bilingual("intake.verification_id_format")
VERIFICATION_CODE_FORMAT = bilingual("intake.verification_code_format")

# The population registry knows no one born before this (and a year typed as 0985 is a typo).
FIRST_BIRTH_YEAR = 1900
VERIFICATION_CODE_LENGTH = 6

_NATIONAL_ID = re.compile(r"[1-9][0-9]{10}", re.ASCII)
_PRIVACY_NOTICE_VERSION = re.compile(r"[A-Za-z0-9._-]{1,32}", re.ASCII)
# \w minus digits and underscore is "any Unicode letter"; parts are joined by exactly one separator.
_PERSON_NAME = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*")
_DIGIT = re.compile(r"\d")
_WHITESPACE_RUN = re.compile(r"\s+")
# Usual ways of writing a number; anything else (letters read as keypad digits, "ext.") is refused.
_PHONE_CHARACTERS = re.compile(r"[0-9 +().\-]+", re.ASCII)
_BIRTH_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
_BIRTH_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_VERIFICATION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)
_VERIFICATION_CODE = re.compile(r"[0-9]{%d}" % VERIFICATION_CODE_LENGTH, re.ASCII)
_TURKEY_CALLING_CODE = 90


@dataclass(frozen=True)
class ValidApplication:
    national_id: str
    first_name: str
    last_name: str
    phone: str
    email: str | None
    kind: str
    category: str
    province_code: str
    province: str
    district: str
    subject: str
    description: str
    channel: str
    language: str
    # The privacy notice (KVKK aydınlatma metni) the applicant acknowledged; None when the client
    # did not say (optional, so that clients older than the notice keep working).
    privacy_notice_version: str | None = None
    # For the population registry's check (docs/identity.md): the year for a T.C. kimlik no, the
    # whole date for a foreigner's YKN. Checked, never stored.
    birth_year: int | None = None
    birth_date: date | None = None
    # ``{"id", "code"}`` of a phone verification (the code may be left out once proven); None if not given.
    phone_verification: dict[str, str | None] | None = None


def validate_application(body: dict[str, Any], *, allowed_channels: frozenset[str]) -> ValidApplication:
    """Check a submitted application and return it normalised, or raise ``ValidationFailed``."""
    if not allowed_channels <= CHANNELS:
        raise ValueError(f"allowed_channels must be a subset of {sorted(CHANNELS)}")
    if not isinstance(body, dict):
        raise ValidationFailed({"body": NOT_AN_OBJECT})
    check = FieldCheck()
    table = application_fields(allowed_channels)
    check.refuse_extra_fields("", body, table, SERVER_OWNED_FIELDS)
    fields = read_fields(check, table, body)
    check.done()
    province = fields.pop("province")
    return ValidApplication(
        **fields.pop("applicant"),
        **fields,
        province_code=province.code,
        province=province.name,
    )


@cache
def application_fields(allowed_channels: frozenset[str]) -> dict[str, Field]:
    """The field table of an application body at an entry point that takes ``allowed_channels``."""
    return {
        "applicant": nested(APPLICANT_TABLE, required=True),
        "kind": Field(_kind, required=True),
        "category": Field(_category, default=DEFAULT_CATEGORY),
        "province": Field(_province, required=True),
        "district": Field(_district, required=True, after="province"),
        "subject": Field(_subject, required=True),
        "description": Field(_description, required=True),
        "channel": Field(_channel_of(allowed_channels), required=True),
        "language": Field(_language, default=DEFAULT_LANGUAGE),
        "privacy_notice_version": Field(_privacy_notice_version),
        "phone_verification": nested(PHONE_PROOF_TABLE, description=(
            "the phone verification proving applicant.phone (required when the service requires it): "
            "its id, and its code unless it was proven already")),
    }


def application_schema(allowed_channels: frozenset[str]) -> dict[str, Any]:
    """The JSON Schema of an application body, from the same table that validates it."""
    return body_schema(application_fields(allowed_channels))


def national_id_checksum_ok(digits: str) -> bool:
    """TC Kimlik No / YKN check digits: the 10th and 11th digits from the first nine and ten."""
    numbers = [int(digit) for digit in digits]
    tenth = (7 * sum(numbers[0:9:2]) - sum(numbers[1:8:2])) % 10
    return numbers[9] == tenth and numbers[10] == sum(numbers[:10]) % 10


@described({"type": "string", "pattern": "^[1-9][0-9]{10}$",
            "description": "T.C. kimlik no / YKN: 11 digits, the last two check digits"}, beyond_schema=True)
def _national_id(value: Any) -> str:
    digits = text(value)
    if not _NATIONAL_ID.fullmatch(digits):
        raise Refused(NATIONAL_ID_FORMAT)
    if not national_id_checksum_ok(digits):
        raise Refused(NATIONAL_ID_INVALID)
    return digits


@described({"type": "string", "minLength": 2, "maxLength": 50, "pattern": "^[^0-9]+$",
            "description": "letters; parts separated by one space, hyphen or apostrophe"}, beyond_schema=True)
def _person_name(value: Any) -> str:
    name = _WHITESPACE_RUN.sub(" ", text(value))
    if _DIGIT.search(name):
        raise Refused(NAME_DIGITS)
    if not _PERSON_NAME.fullmatch(name):
        raise Refused(NAME_CHARACTERS)
    if len(name) not in NAME_LENGTH:
        raise Refused(NAME_LENGTH_REASON)
    return name


@described({"type": "string", "pattern": "^[0-9 +().-]+$", "examples": ["0532 123 45 67", "+905321234567"],
            "description": "a Turkish mobile number in any usual spelling (stored as E.164)"}, beyond_schema=True)
def _phone(value: Any) -> str:
    spelt = text(value)
    if not _PHONE_CHARACTERS.fullmatch(spelt):
        raise Refused(PHONE_INVALID)
    try:
        number = phonenumbers.parse(spelt, "TR")
    except phonenumbers.NumberParseException:
        raise Refused(PHONE_INVALID) from None
    # The usual case first, in one pass over the number patterns: a Turkish mobile number is valid.
    if (number.country_code == _TURKEY_CALLING_CODE
            and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        raise Refused(PHONE_INVALID)
    if (
        number.country_code != _TURKEY_CALLING_CODE
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise Refused(PHONE_NOT_TURKISH_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@described({"type": "string", "pattern": "^[0-9]{4}$", "examples": ["1985"],
            "description": "year of birth, for the population registry's check (required when the service "
                           "checks identities and the ID is a T.C. kimlik no)"}, beyond_schema=True)
def _birth_year(value: Any) -> int:
    digits = text(value)
    if not _BIRTH_YEAR.fullmatch(digits):
        raise Refused(BIRTH_YEAR_FORMAT)
    year = int(digits)
    if not FIRST_BIRTH_YEAR <= year <= date.today().year:
        raise Refused(BIRTH_OUT_OF_RANGE)
    return year


@described({"type": "string", "format": "date", "examples": ["1990-04-23"],
            "description": "date of birth, for the population registry's check of a foreigner's ID (YKN, "
                           "starting with 99)"}, beyond_schema=True)
def _birth_date(value: Any) -> date:
    spelt = text(value)
    if not _BIRTH_DATE.fullmatch(spelt):
        raise Refused(BIRTH_DATE_FORMAT)
    try:
        born = date.fromisoformat(spelt)
    except ValueError:
        raise Refused(BIRTH_DATE_FORMAT) from None
    if not FIRST_BIRTH_YEAR <= born.year or born > date.today():
        raise Refused(BIRTH_OUT_OF_RANGE)
    return born


@described({"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
            "description": "a phone verification's id (POST /api/v1/phone-verifications)"})
def verification_id(value: Any) -> str:
    spelt = text(value)
    if not _VERIFICATION_ID.fullmatch(spelt):
        raise Refused(VERIFICATION_ID_FORMAT)
    return spelt


@described({"type": "string", "pattern": "^[0-9]{6}$", "examples": ["482913"],
            "description": "the 6-digit code the SMS brought"})
def _verification_code(value: Any) -> str:
    digits = text(value)
    if not _VERIFICATION_CODE.fullmatch(digits):
        raise Refused(VERIFICATION_CODE_FORMAT)
    return digits


@described({"type": "string", "format": "email", "description": "an e-mail address (optional)"}, beyond_schema=True)
def _email(value: Any) -> str:
    try:
        address: str = validate_email(text(value), check_deliverability=False).normalized
        return address
    except EmailNotValidError:
        raise Refused(EMAIL_INVALID) from None


@described({"type": "string", "pattern": "^[A-Za-z0-9._-]{1,32}$", "examples": ["2026-12"],
            "description": "the version of the privacy notice (KVKK aydınlatma metni) the applicant "
                           "acknowledged (optional)"})
def _privacy_notice_version(value: Any) -> str:
    version = text(value)
    if not _PRIVACY_NOTICE_VERSION.fullmatch(version):
        raise Refused(PRIVACY_NOTICE_VERSION_FORMAT)
    return version


_kind = one_of(KINDS, KIND_UNKNOWN)
_category = one_of(CATEGORIES, CATEGORY_UNKNOWN)
_language = one_of(LANGUAGES, LANGUAGE_UNKNOWN)
_known_channel = one_of(CHANNELS, CHANNEL_UNKNOWN)
_subject = bounded_text(SUBJECT_LENGTH, SUBJECT_LENGTH_REASON)
_description = bounded_text(DESCRIPTION_LENGTH, DESCRIPTION_LENGTH_REASON, multiline=True)


def _channel(value: Any, allowed_channels: frozenset[str]) -> str:
    channel: str = _known_channel(value)
    if channel not in allowed_channels:
        raise Refused(CHANNEL_NOT_ALLOWED)
    return channel


def _channel_of(allowed_channels: frozenset[str]) -> Rule:
    """The channel rule of one entry point (citizen: web, app; desk: desk)."""
    @described({"type": "string", "enum": sorted(allowed_channels)})
    def rule(value: Any) -> str:
        return _channel(value, allowed_channels)

    return rule


@described({"type": "string", "examples": ["istanbul", "06"],
            "description": "a province by plate code or by name in any spelling (see /api/v1/catalog)"},
           beyond_schema=True)
def _province(value: Any) -> Province:
    province = places().find_province(text(value))
    if province is None:
        raise Refused(PROVINCE_UNKNOWN)
    return province


@described({"type": "string", "examples": ["kadıköy"],
            "description": "a district of that province, by name in any spelling (see /api/v1/catalog)"},
           beyond_schema=True)
def _district(value: Any, province: Province | None) -> str | None:
    """The district's canonical name; None when the province was refused and cannot tell."""
    name = text(value)
    if province is None:
        return None
    district = places().find_district(province, name)
    if district is None:
        raise Refused(DISTRICT_UNKNOWN)
    return district


# The tables: the one declaration of each field, read by ``validate_application`` and published
# (``application_schema``) in the gateway's OpenAPI document.
APPLICANT_TABLE = {
    "national_id": Field(_national_id, required=True),
    "first_name": Field(_person_name, required=True),
    "last_name": Field(_person_name, required=True),
    "phone": Field(_phone, required=True),
    "email": Field(_email),
    "birth_year": Field(_birth_year),
    "birth_date": Field(_birth_date),
}

# The proof of a phone a submission carries (services/intake/phone_verification.py).
PHONE_PROOF_TABLE = {
    "id": Field(verification_id, required=True),
    "code": Field(_verification_code),
}

# POST /api/v1/phone-verifications: the number to send a code to, and the language of the SMS.
PHONE_VERIFICATION_FIELDS = {
    "phone": Field(_phone, required=True),
    "language": Field(_language, default=DEFAULT_LANGUAGE),
}
# POST /api/v1/phone-verifications/{id}: the code the SMS brought.
PHONE_CODE_FIELDS = {"code": Field(_verification_code, required=True)}


# KVKK requests (an admin exports or erases one applicant's personal data): the person is named
# by national ID, checked by the very rule a submission is (format and check digits).
ERASURE_REASON = bounded_text(range(5, 501), bilingual("field.length", shortest=5, longest=500), multiline=True)
PERSONAL_DATA_EXPORT_FIELDS = {"national_id": Field(_national_id, required=True)}
PERSONAL_DATA_ERASURE_FIELDS = dict(PERSONAL_DATA_EXPORT_FIELDS, reason=Field(ERASURE_REASON, required=True))

# A citizen who lost the tracking code asks for it again (intake.request_tracking_code): the
# national ID is checked by the very rule a submission is, so a typo is named, not guessed at.
TRACKING_CODE_REQUEST_FIELDS = {"national_id": Field(_national_id, required=True)}

# The staff queue's search box (intake.find_applications): a number, a national ID or words.
SEARCH_QUERY_LENGTH = range(1, 101)
SEARCH_QUERY = bounded_text(SEARCH_QUERY_LENGTH, bilingual("field.length", shortest=SEARCH_QUERY_LENGTH.start,
                                                           longest=SEARCH_QUERY_LENGTH.stop - 1))
SEARCH_QUERY_FIELDS = {"q": Field(SEARCH_QUERY, required=True)}  # the staff queue's query parameter
