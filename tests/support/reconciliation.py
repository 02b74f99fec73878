"""After a fault: does what clients were told match what every store and the SMS provider hold?

``told`` is the set of application numbers clients got in a 201. Each place is checked for

* ``lost``: a number it should hold and does not;
* ``duplicated``: a number it holds more than once;
* ``unexpected``: a number it holds that nobody was told, and no unanswered attempt explains.

The places, each read the way its service writes it:

* ``intake``: ``applications`` in intake.db — the record of the submission;
* ``routing``: ``applications`` in routing.db — the officers' queue entry;
* ``notification``: ``messages`` in notification.db with template ``application_received``;
* ``tracking``: ``applications`` in tracking.db — held once the received event is applied
  (its "received" timeline entry: a document made by a later event alone cannot be looked up
  by the citizen); two "received" entries are a duplicate the citizen would see;
* ``sms_received``: the fake provider's accepted sends whose text is the "received" template
  naming the number. A copy the provider refused to deliver (Verimor's ``DOUBLE_SEND_ERROR``)
  is not an SMS the phone got, so it is not counted.

Intake and routing key their records by the number and notification's messages are unique per
(number, template), so a duplicate there would mean a broken store; the duplicates a fault can
really make are a second "received" entry in tracking and a second SMS.

Unanswered attempts — the choice made here: a submission whose answer was lost (the gateway
killed mid-request, a client timeout) may or may not have been stored, and both are right. The
caller passes ``unanswered``: the Idempotency-Key of each such attempt, ``None`` for one sent
without a key. An intake record not told is accounted for (``Report.accounted``, not a fault)
when its key is one of them; records stored without a key are accounted for while there are no
more of them than ``None`` entries — beyond that none can be told apart, so all are unexpected.
Downstream places owe whatever intake holds: they are checked against told ∪ intake, so an
unexpected intake record is reported once, at intake, not again at every place after it.

    report = wait_reconciled(told, system.data_dir, system.sms_messages, unanswered=["k-17"])
    assert report.clean, report
"""
import re
import string
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common.storage import connect
from services.notification.domain import RECEIVED
from services.notification.templates import TEMPLATES
from tests.support.processes import sms_text

REFUSED_BY_PROVIDER = {"DOUBLE_SEND_ERROR"}  # taken by the provider, never sent to the phone
SHOWN = 20  # numbers listed per finding in the report's text
PLACES = ("intake", "routing", "notification", "tracking", "sms_received")


@dataclass
class PlaceReport:
    lost: list = field(default_factory=list)
    duplicated: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)

    @property
    def clean(self):
        return not (self.lost or self.duplicated or self.unexpected)


@dataclass
class Report:
    told: int = 0
    intake: PlaceReport = field(default_factory=PlaceReport)
    routing: PlaceReport = field(default_factory=PlaceReport)
    notification: PlaceReport = field(default_factory=PlaceReport)
    tracking: PlaceReport = field(default_factory=PlaceReport)
    sms_received: PlaceReport = field(default_factory=PlaceReport)
    accounted: list = field(default_factory=list)  # stored, not told, explained by an unanswered attempt

    @property
    def places(self):
        return {name: getattr(self, name) for name in PLACES}

    @property
    def clean(self):
        return all(place.clean for place in self.places.values())

    def __str__(self):
        lines = ["reconciliation of {} told number(s), {} accounted for by unanswered attempts: {}".format(
            self.told, len(self.accounted), "clean" if self.clean else "NOT clean")]
        for name, place in self.places.items():
            for finding in ("lost", "duplicated", "unexpected"):
                numbers = getattr(place, finding)
                if numbers:
                    lines.append("  {} {}: {}".format(name, finding, _listing(numbers)))
        return "\n".join(lines)


def reconcile(told, data_dir, sms_messages, unanswered=()):
    """A ``Report`` on the stores under ``data_dir`` and the fake's ``sms_messages`` (a list, or
    a callable returning it, e.g. ``RunningSystem.sms_messages``)."""
    told = set(told)
    if isinstance(unanswered, str):  # one key, not its characters
        unanswered = [unanswered]
    data_dir = Path(data_dir)
    # Downstream first, intake last: everything downstream came from a record intake had
    # committed, so a submission landing meanwhile cannot look like a phantom downstream.
    held = {
        "routing": _count(data_dir, "routing", "applications", {"_id": 1}, _one_record),
        "notification": _count(data_dir, "notification", "messages", {"application_no": 1},
                               _one_record, query={"template": RECEIVED}),
        "tracking": _count(data_dir, "tracking", "applications", {"timeline": 1}, _received_entries),
        "sms_received": _sms_received(sms_messages() if callable(sms_messages) else sms_messages),
    }
    intake_keys = _intake_keys(data_dir)
    held["intake"] = Counter(dict.fromkeys(intake_keys, 1))

    accounted = _accounted({number: key for number, key in intake_keys.items() if number not in told}, unanswered)
    report = Report(told=len(told), accounted=sorted(accounted))
    report.intake = _compare(held["intake"], expected=told, allowed=accounted)
    downstream = told | set(intake_keys)
    for place in ("routing", "notification", "tracking", "sms_received"):
        setattr(report, place, _compare(held[place], expected=downstream))
    return report


def wait_reconciled(told, data_dir, sms_messages, unanswered=(), timeout=30, interval=0.5):
    """Polls ``reconcile`` until clean or ``timeout`` (the system converges asynchronously);
    returns the last report either way, for the caller to assert on."""
    deadline = time.monotonic() + timeout
    while True:
        report = reconcile(told, data_dir, sms_messages, unanswered)
        if report.clean or time.monotonic() > deadline:
            return report
        time.sleep(interval)


# --- comparing

def _compare(held, expected, allowed=frozenset()):
    """``held``: records per number (0: present but not complete, so not really held)."""
    return PlaceReport(
        lost=sorted(number for number in expected if held.get(number, 0) == 0),
        duplicated=sorted(number for number, count in held.items() if count > 1),
        unexpected=sorted(number for number in held if number not in expected and number not in allowed),
    )


def _accounted(untold_keys, unanswered):
    """The intake records nobody was told of that attempts whose answer was lost explain, by
    those attempts' Idempotency-Keys (None: an attempt without a key)."""
    unanswered = list(unanswered)
    keys = {key for key in unanswered if key is not None}
    accounted, keyless = set(), set()
    for number, stored_key in untold_keys.items():
        if stored_key.startswith("none:"):  # intake's stand-in key for a submission without one
            keyless.add(number)
        elif stored_key.split(":", 1)[-1] in keys:  # stored scoped: "<entry point>:<client's key>"
            accounted.add(number)
    if len(keyless) <= unanswered.count(None):
        accounted |= keyless
    return accounted


# --- reading the places

def _open_collection(data_dir, service, collection):
    """The collection, or None if the service never created its file (nothing held there)."""
    path = data_dir / "{}.db".format(service)
    if not path.exists():
        return None, None
    client = connect("sqlite:///" + str(path.resolve()))
    return client, client.get_database(service).get_collection(collection)


def _count(data_dir, service, collection, projection, records_in, query=None):
    client, documents = _open_collection(data_dir, service, collection)
    held = Counter()
    if client is None:
        return held
    try:
        for document in documents.find(query or {}, projection):
            held[document.get("application_no", document["_id"])] += records_in(document)
    finally:
        client.close()
    return held


def _intake_keys(data_dir):
    """{application number: stored idempotency key} of every intake record."""
    client, applications = _open_collection(data_dir, "intake", "applications")
    if client is None:
        return {}
    try:
        return {document["_id"]: document["idempotency_key"]
                for document in applications.find({}, {"idempotency_key": 1})}
    finally:
        client.close()


def _one_record(document):
    return 1


def _received_entries(document):
    return sum(1 for entry in document.get("timeline", []) if entry.get("status") == "received")


def _sms_received(messages):
    held = Counter()
    for message in messages:
        number = received_sms_number(sms_text(message))
        if number is not None and message.get("status") not in REFUSED_BY_PROVIDER:
            held[number] += 1
    return held


def _template_pattern(template):
    """The template as a regex: its literal text, the number captured, other values free."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name == "application_no":
            parts.append(r"(?P<application_no>\d{4}-\d{6,})")
        elif name is not None:
            parts.append(".+?")
    return re.compile("".join(parts), re.DOTALL)


RECEIVED_TEXTS = [_template_pattern(text) for text in TEMPLATES[RECEIVED].values()]


def received_sms_number(text):
    """The application number a "received" SMS names; None for any other text."""
    for pattern in RECEIVED_TEXTS:
        match = pattern.fullmatch(text)
        if match:
            return match.group("application_no")
    return None


def _listing(numbers):
    shown = ", ".join(numbers[:SHOWN])
    return shown if len(numbers) <= SHOWN else "{} … and {} more".format(shown, len(numbers) - SHOWN)
