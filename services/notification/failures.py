"""Why an SMS failed, read from its ``last_error``, and whether sending it again can help; no I/O
(docs/sms.md#failures).

``last_error`` is what a provider client or the dispatcher wrote (services/notification/providers/,
dispatcher.py, delivery_reports.py): a provider's status and error code ("INVALID_DESTINATION_ADDRESS
gsm_error=1", "undelivered ErrorCode=30003", "iletimerkezi: 452 …", "verimor: HTTP 400
INSUFFICIENT_CREDITS"), a transport failure ("twilio: no answer within 10 s", "verimor:
ConnectionError") or the dispatcher's own words ("gave up: …", "no recipient on record yet").
Each is read into one cause. A failure of the number itself (invalid, blocked, the handset
unreachable) is not worth a resend: the same number fails again, and the applicant is better
reached another way. Everything else (provider down, out of credit, our account, expired while
the provider was away, unknown) may go through when sent again.
"""
import re

from messages import by_language

INVALID_NUMBER = "invalid_number"
BLOCKED_NUMBER = "blocked_number"
UNREACHABLE_SUBSCRIBER = "unreachable_subscriber"
PROVIDER_UNAVAILABLE = "provider_unavailable"
PROVIDER_ACCOUNT = "provider_account"
NO_CREDIT = "no_credit"
EXPIRED = "expired"
REJECTED = "rejected"
NO_RECIPIENT = "no_recipient"
UNKNOWN = "unknown"

NUMBER_FAULTS = frozenset({INVALID_NUMBER, BLOCKED_NUMBER, UNREACHABLE_SUBSCRIBER})

# Verimor's report statuses (verimor.py STATUS_STATES, its user guide's table).
_VERIMOR_STATUSES = {
    "INVALID_DESTINATION_ADDRESS": INVALID_NUMBER,
    "INTERNATIONAL_DENIED": INVALID_NUMBER,  # intake takes Turkish mobiles only: the number is not one
    "BLACKLISTED_DESTINATION_ADDRESS": BLOCKED_NUMBER,
    "NOT_DELIVERED": UNREACHABLE_SUBSCRIBER,
    "NETWORK_NOTCOVERED": UNREACHABLE_SUBSCRIBER,
    "EXPIRED": EXPIRED,
    "REJECTED": REJECTED,
    "MISSING_TARIFF": PROVIDER_ACCOUNT,
    "ROUTE_NOT_AVAILABLE": PROVIDER_UNAVAILABLE,
    "SEND_ERROR": PROVIDER_UNAVAILABLE,
    "INSUFFICIENT_CREDITS": NO_CREDIT,
}
# Twilio's error codes (twilio.com/docs/api/errors): sending (21xxx, 20003) and delivery (30xxx).
_TWILIO_CODES = {
    "21211": INVALID_NUMBER,  # invalid 'To' number
    "21614": INVALID_NUMBER,  # 'To' is not a mobile number
    "30005": INVALID_NUMBER,  # unknown destination handset
    "30006": INVALID_NUMBER,  # landline or unreachable carrier
    "21610": BLOCKED_NUMBER,  # the recipient replied STOP
    "30004": BLOCKED_NUMBER,  # message blocked
    "30003": UNREACHABLE_SUBSCRIBER,  # unreachable destination handset
    "30007": REJECTED,  # filtered by the carrier
    "30001": PROVIDER_UNAVAILABLE,  # queue overflow
    "30008": PROVIDER_UNAVAILABLE,  # unknown error
    "20003": PROVIDER_ACCOUNT,  # authentication
    "30002": PROVIDER_ACCOUNT,  # account suspended
    "21408": PROVIDER_ACCOUNT,  # no permission for the region
    "21612": PROVIDER_ACCOUNT,  # cannot route from our sender
    "20429": PROVIDER_UNAVAILABLE,  # too many requests
}
# İleti Merkezi's status codes (iletimerkezi.py's module doc).
_ILETIMERKEZI_CODES = {
    "452": INVALID_NUMBER,
    "402": NO_CREDIT,
    "401": PROVIDER_ACCOUNT,
    "450": PROVIDER_ACCOUNT,
    "400": REJECTED,
    "453": REJECTED,
    "454": REJECTED,
    "457": REJECTED,
}
# Plain words some failures are written with, in the order they are looked for.
_PHRASES = (
    ("no recipient on record", NO_RECIPIENT),
    ("gave up", EXPIRED),
    ("no answer within", PROVIDER_UNAVAILABLE),
    ("112 not sent", UNREACHABLE_SUBSCRIBER),
    ("undelivered", UNREACHABLE_SUBSCRIBER),
    ("canceled", REJECTED),
)
_TWILIO_CODE = re.compile(r"ErrorCode=(\d+)|^twilio: HTTP \d{3} (\d{5})\b")
_ILETIMERKEZI_CODE = re.compile(r"^iletimerkezi: (?:report )?(\d{3})\b")
_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")
_TRANSPORT_ERROR = re.compile(r"^\w+: [A-Z]\w*(Error|Exception|Timeout)\b")


def failure_cause(last_error: str | None) -> str:
    """The cause (one of the names above) of a failure recorded as ``last_error``."""
    if not last_error:
        return UNKNOWN
    twilio = _TWILIO_CODE.search(last_error)
    if twilio and (twilio.group(1) or twilio.group(2)) in _TWILIO_CODES:
        return _TWILIO_CODES[twilio.group(1) or twilio.group(2)]
    iletimerkezi = _ILETIMERKEZI_CODE.match(last_error)
    if iletimerkezi and iletimerkezi.group(1) in _ILETIMERKEZI_CODES:
        return _ILETIMERKEZI_CODES[iletimerkezi.group(1)]
    for word in re.findall(r"[A-Z][A-Z_]{3,}", last_error):
        if word in _VERIMOR_STATUSES:
            return _VERIMOR_STATUSES[word]
    lowered = last_error.lower()
    for phrase, cause in _PHRASES:
        if phrase in lowered:
            return cause
    return _from_transport(last_error, iletimerkezi)


def _from_transport(last_error: str, iletimerkezi: re.Match[str] | None) -> str:
    status = _HTTP_STATUS.search(last_error)
    code = int(status.group(1)) if status else int(iletimerkezi.group(1)) if iletimerkezi else None
    if code is not None:
        if code == 429 or code >= 500:
            return PROVIDER_UNAVAILABLE
        if code in (401, 403):
            return PROVIDER_ACCOUNT
        if code == 402:
            return NO_CREDIT
        return REJECTED if 400 <= code < 500 else UNKNOWN
    return PROVIDER_UNAVAILABLE if _TRANSPORT_ERROR.match(last_error) else UNKNOWN


def is_number_fault(cause: str) -> bool:
    return cause in NUMBER_FAULTS


_REASONS = {
    INVALID_NUMBER: by_language("notification.failure.invalid_number"),
    BLOCKED_NUMBER: by_language("notification.failure.blocked_number"),
    UNREACHABLE_SUBSCRIBER: by_language("notification.failure.unreachable_subscriber"),
    PROVIDER_UNAVAILABLE: by_language("notification.failure.provider_unavailable"),
    PROVIDER_ACCOUNT: by_language("notification.failure.provider_account"),
    NO_CREDIT: by_language("notification.failure.no_credit"),
    EXPIRED: by_language("notification.failure.expired"),
    REJECTED: by_language("notification.failure.rejected"),
    NO_RECIPIENT: by_language("notification.failure.no_recipient"),
    UNKNOWN: by_language("notification.failure.unknown"),
}


def failure_reason(cause: str) -> dict[str, str]:
    """``{"tr", "en"}``: the cause as the admin screen says it."""
    return dict(_REASONS[cause])
