"""Rate limits on the citizen routes and on logins (docs/api.md#rate-limits), with Flask-Limiter.

Routes name the limits they need with ``@rate_limited(...)``; ``install`` gives each app its own
limiter and wraps the marked views. The counters are shared by every worker of a gateway: in
Redis (``RATE_LIMIT_STORAGE_URI=redis://…``, also across instances), else in a SQLite file in
``DATA_DIR`` (gateway/limit_storage.py). A breach raises werkzeug's ``TooManyRequests``:
errors.py answers it, with ``Retry-After`` from ``retry_after_seconds()``.

Who is counted: the client's address (``TRUSTED_PROXIES`` decides whether X-Forwarded-For is
believed; IPv6 by /64, what one subscriber usually holds), the phone a submission would text
(against SMS pumping), an Open311 client's api_key, and the username of a login, each of the
last three as a keyed hash so that none is ever stored in clear.

Guessing is limited without handing the lock to the victim: a wrong tracking code or password
counts against the (application number or username, client address) pair, so an attacker's
failures never lock the owner's own address. A ceiling per number or username counts the
failures of all addresses together; once it is reached, every address is held to a few tries
(``*_past_ceiling``) instead of being shut out: the owner still gets in with the right code or
password, a botnet gets a few guesses per address (docs/api.md#lock-outs).
"""
import hashlib
import hmac
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

import limits as limit_strings
import phonenumbers
from flask import current_app, request
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException

from common import config
from gateway import body, limit_storage

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")  # Open311 POSTs a form
log = logging.getLogger(__name__)

HASHED_KEY_LENGTH = 32  # hex characters of the HMAC kept: 128 bits, no collisions in practice
OFF = ("0", "false", "no", "off")


@dataclass(frozen=True)
class RateLimitSettings:
    """Each limit is a Flask-Limiter string: ``"20/minute;500/day"`` (every part must hold).

    Citizens often share one address (mobile carriers' NAT, a family's router, an internet café),
    so the per-address limits are generous; the per-phone, per-number and per-username ones are
    tight because one person needs few.
    """
    enabled: bool = True
    storage_uri: str = "memory://"  # from_environment: the SQLite file in DATA_DIR unless a URI is set
    key_prefix: str = "acikkapi"
    submissions_per_ip: str = "20/minute;500/day"
    submissions_per_phone: str = "5/hour;10/day"  # each accepted submission sends an SMS
    open311_per_key: str = "120/minute;5000/day"  # one client app submits for many citizens
    lookups_per_ip: str = "60/minute;2000/day"
    failed_lookups_per_ip: str = "30/hour;200/day"
    failed_lookups_per_number: str = "10/hour;50/day"  # per (number, address)
    failed_lookups_number_ceiling: str = "50/day"  # per number, every address together
    failed_lookups_past_ceiling: str = "3/day"  # per (number, address) while the ceiling is reached
    failed_logins_per_username: str = "10/15minutes;50/day"  # per (username, address)
    failed_logins_username_ceiling: str = "50/day"
    failed_logins_past_ceiling: str = "5/day"
    failed_logins_per_ip: str = "30/hour;200/day"
    # Each accepted request texts a code: few per phone, and an address cannot pump SMS to many phones.
    phone_verifications_per_ip: str = "10/hour;50/day"
    phone_verifications_per_phone: str = "3/15minutes;10/day"

    def __post_init__(self):
        for field in fields(self):
            if field.name.endswith(("_per_ip", "_per_phone", "_per_key", "_per_number", "_per_username",
                                    "_ceiling")):
                try:
                    limit_strings.parse_many(getattr(self, field.name))
                except ValueError:
                    raise ValueError("rate limit {} is not a limit string like '20/minute;500/day': {!r}"
                                     .format(field.name, getattr(self, field.name))) from None

    @classmethod
    def from_environment(cls):
        return cls(
            enabled=config.setting("RATE_LIMITS_ENABLED", "true").strip().lower() not in OFF,
            storage_uri=(config.setting("RATE_LIMIT_STORAGE_URI")
                         or limit_storage.storage_uri(config.data_dir() / "rate_limits.db")),
            key_prefix=config.setting("RATE_LIMIT_KEY_PREFIX", cls.key_prefix),
            submissions_per_ip=config.setting("RATE_LIMIT_SUBMISSIONS_PER_IP", cls.submissions_per_ip),
            submissions_per_phone=config.setting("RATE_LIMIT_SUBMISSIONS_PER_PHONE", cls.submissions_per_phone),
            open311_per_key=config.setting("RATE_LIMIT_OPEN311_PER_KEY", cls.open311_per_key),
            lookups_per_ip=config.setting("RATE_LIMIT_LOOKUPS_PER_IP", cls.lookups_per_ip),
            failed_lookups_per_ip=config.setting("RATE_LIMIT_FAILED_LOOKUPS_PER_IP", cls.failed_lookups_per_ip),
            failed_lookups_per_number=config.setting("RATE_LIMIT_FAILED_LOOKUPS_PER_NUMBER",
                                                     cls.failed_lookups_per_number),
            failed_lookups_number_ceiling=config.setting("RATE_LIMIT_FAILED_LOOKUPS_NUMBER_CEILING",
                                                         cls.failed_lookups_number_ceiling),
            failed_lookups_past_ceiling=config.setting("RATE_LIMIT_FAILED_LOOKUPS_PAST_CEILING",
                                                       cls.failed_lookups_past_ceiling),
            failed_logins_per_username=config.setting("RATE_LIMIT_FAILED_LOGINS_PER_USERNAME",
                                                      cls.failed_logins_per_username),
            failed_logins_username_ceiling=config.setting("RATE_LIMIT_FAILED_LOGINS_USERNAME_CEILING",
                                                          cls.failed_logins_username_ceiling),
            failed_logins_past_ceiling=config.setting("RATE_LIMIT_FAILED_LOGINS_PAST_CEILING",
                                                      cls.failed_logins_past_ceiling),
            failed_logins_per_ip=config.setting("RATE_LIMIT_FAILED_LOGINS_PER_IP", cls.failed_logins_per_ip),
            phone_verifications_per_ip=config.setting("RATE_LIMIT_PHONE_VERIFICATIONS_PER_IP",
                                                      cls.phone_verifications_per_ip),
            phone_verifications_per_phone=config.setting("RATE_LIMIT_PHONE_VERIFICATIONS_PER_PHONE",
                                                         cls.phone_verifications_per_phone),
        )


# --- who is counted ---------------------------------------------------------------------------

def client_key():
    """The client's address (ProxyFix has already applied ``TRUSTED_PROXIES``); an IPv6 client
    by its /64, since one subscriber can rotate through a whole /64 at will."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "ip:" + address
    if parsed.version == 6:
        if parsed.ipv4_mapped:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return "ip:" + str(parsed.ipv4_mapped)
        return "ip:" + str(ipaddress.ip_network("{}/64".format(parsed), strict=False))
    return "ip:" + str(parsed)


def phone_key():
    """The phone the submission would text, hashed; None when there is none: intake refuses it."""
    applicant = _body_object().get("applicant")
    return _phone_key(applicant.get("phone") if isinstance(applicant, dict) else None)


def verification_phone_key():
    """The phone a code would be texted to (``POST /api/v1/phone-verifications``), hashed."""
    return _phone_key(_body_object().get("phone"))


def open311_phone_key():
    """The same for an Open311 POST, whose form carries the phone in its own field: one phone has
    one allowance, whichever way it applies."""
    return _phone_key(_form_value("phone"))


def open311_api_key_key():
    api_key = _form_value("api_key")
    return "open311_key:" + _keyed_hash(api_key) if api_key else None


def _phone_key(phone):
    """As E.164 where it parses (``0532 123 45 67`` and ``+90 532 123 45 67`` are one phone)."""
    if not isinstance(phone, str):
        return None
    try:
        normalised = phonenumbers.format_number(phonenumbers.parse(phone, "TR"),
                                                phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        normalised = "".join(character for character in phone if character.isdigit())
    return "phone:" + _keyed_hash(normalised) if normalised else None


def username_key():
    username = _body_object().get("username")
    if not isinstance(username, str) or not username.strip():
        return None
    return "user:" + _keyed_hash(username.strip().casefold())


def username_at_address_key():
    username = username_key()
    return username and username + "|" + client_key()


def application_number_key():
    """Application numbers are not personal data: kept in clear."""
    return "application:" + str((request.view_args or {}).get("application_no", ""))


def application_number_at_address_key():
    return application_number_key() + "|" + client_key()


def _keyed_hash(value):
    """HMAC-SHA256 under a key derived from the gateway's secret: the same in every worker and
    instance (so the counters agree), yet a leaked Redis cannot be reversed by hashing all phones."""
    key = current_app.extensions["rate_limit_hash_key"]
    # surrogatepass: never an error here, whatever text reaches it (body.py refuses lone surrogates first)
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:HASHED_KEY_LENGTH]


def _body_object():
    """The request body as a dict, or ``{}`` if it is not one (gateway/body.py parses it once per
    request). Never raises: a body that is too large or not JSON is the view's to refuse."""
    return body.parsed_object()


def _form_value(name):
    """A field of a form body, or None; never raises (a body too large is the view's 413)."""
    try:
        value = request.form.get(name) if request.mimetype in FORM_TYPES else None
    except HTTPException:
        return None
    return value if isinstance(value, str) and value.strip() else None


# --- what is counted --------------------------------------------------------------------------

def accepted(response):
    """Only accepted submissions send an SMS; a corrected typo costs the citizen nothing."""
    return 200 <= response.status_code < 300


def not_found(response):
    return response.status_code == 404


def refused_login(response):
    return response.status_code == 401


def let_through(response):
    """Every request the limits let through, whatever its answer: a lost-code request's answer
    never tells a match from a miss, so each one is a guess."""
    return response.status_code != 429


@dataclass(frozen=True)
class Ceiling:
    """What a rule's counted answers add up to for one target from every address (``setting``,
    keyed by ``key``); while it is reached, the rule's limit is ``past_ceiling`` instead: every
    address gets a few tries, none is shut out."""
    setting: str
    key: Callable[[], str | None]
    past_ceiling: str


@dataclass(frozen=True)
class Rule:
    setting: str  # the RateLimitSettings field that holds the limit string; also the counter's scope
    key: Callable[[], str | None]  # None: this rule does not apply to the request
    counts: Callable | None = None  # which answers count; None: every request
    ceiling: Ceiling | None = None


# The submission scopes are shared with the Open311 POST: one address, one phone, one allowance.
SUBMISSIONS = (Rule("submissions_per_ip", client_key),
               Rule("submissions_per_phone", phone_key, counts=accepted))
OPEN311_SUBMISSIONS = (Rule("submissions_per_ip", client_key),
                       Rule("submissions_per_phone", open311_phone_key, counts=accepted),
                       Rule("open311_per_key", open311_api_key_key))
LOOKUPS = (Rule("lookups_per_ip", client_key),
           Rule("failed_lookups_per_ip", client_key, counts=not_found),
           Rule("failed_lookups_per_number", application_number_at_address_key, counts=not_found,
                ceiling=Ceiling("failed_lookups_number_ceiling", application_number_key,
                                "failed_lookups_past_ceiling")))
# An answer's verification by its code: unguessable codes, guessed from one address at the lookups' pace.
VERIFICATIONS = (Rule("lookups_per_ip", client_key),
                 Rule("failed_lookups_per_ip", client_key, counts=not_found))
# A lost tracking code (citizen.request_tracking_code) spends the failed lookups' own counters, the
# scopes being shared: a national ID guessed there is a try taken from the tracking-code guesses,
# not a second budget beside them.
TRACKING_CODE_REQUESTS = (
    Rule("failed_lookups_per_ip", client_key, counts=let_through),
    Rule("failed_lookups_per_number", application_number_at_address_key, counts=let_through,
         ceiling=Ceiling("failed_lookups_number_ceiling", application_number_key, "failed_lookups_past_ceiling")))
# A one-time code to a phone: every request counts per address (a refused phone costs the SMS
# nothing, but guessing which numbers are mobiles is not free either), accepted ones per phone.
PHONE_VERIFICATIONS = (Rule("phone_verifications_per_ip", client_key),
                       Rule("phone_verifications_per_phone", verification_phone_key, counts=accepted))
LOGINS = (Rule("failed_logins_per_username", username_at_address_key, counts=refused_login,
               ceiling=Ceiling("failed_logins_username_ceiling", username_key, "failed_logins_past_ceiling")),
          Rule("failed_logins_per_ip", client_key, counts=refused_login))


def rate_limited(*rule_sets):
    """Marks a view for ``install``: the limiter is per app, the decorator runs at import."""

    def mark(view):
        view.rate_limit_rules = tuple(rule for rules in rule_sets for rule in rules)
        return view

    return mark


# --- the limiter ------------------------------------------------------------------------------

def install(app, settings, secret):
    """Wraps every marked view of ``app`` (blueprints registered first) in its limits."""
    if not settings.enabled:
        return None
    app.extensions["rate_limit_hash_key"] = hmac.new(secret.encode("utf-8"), b"acikkapi.rate-limit-keys",
                                                     hashlib.sha256).digest()
    limiter = Limiter(
        client_key, app=app, storage_uri=settings.storage_uri, key_prefix=settings.key_prefix,
        # moving window: no double burst at a window's edge
        strategy="moving-window",
        # Redis down: serve citizens unlimited (logged) rather than answer 500
        swallow_errors=True,
        headers_enabled=False,  # it would put Retry-After on every answer; errors.py sets it on 429
    )
    limiter.request_filter(lambda: request.method == "OPTIONS")  # CORS preflights cost nothing
    ceilings = {}  # endpoint -> its rules' ceilings with what they count
    for endpoint, view in list(app.view_functions.items()):
        for rule in getattr(view, "rate_limit_rules", ()):
            # shared: a scope is one counter on every route that names it (citizen and Open311 POSTs)
            view = limiter.shared_limit(
                _limit_of(limiter, settings, rule), key_func=rule.key, scope=rule.setting,
                exempt_when=lambda key=rule.key: key() is None, deduct_when=rule.counts,
            )(view)
            if rule.ceiling:
                ceilings.setdefault(endpoint, []).append((rule.ceiling, rule.counts))
        app.view_functions[endpoint] = view

    @app.after_request
    def count_towards_ceilings(response):
        for ceiling, counts in ceilings.get(request.endpoint, ()):
            key = ceiling.key()
            if key is not None and counts(response):
                for item in limit_strings.parse_many(getattr(settings, ceiling.setting)):
                    _quietly(limiter.limiter.hit, item, settings.key_prefix, key, ceiling.setting)
        return response

    return limiter


def _limit_of(limiter, settings, rule):
    """The rule's limit string, or (with a ceiling) a function Flask-Limiter asks per request."""
    if rule.ceiling is None:
        return getattr(settings, rule.setting)
    ceiling = rule.ceiling

    def current_limit():
        key = ceiling.key()
        reached = key is not None and not all(
            _quietly(limiter.limiter.test, item, settings.key_prefix, key, ceiling.setting, default=True)
            for item in limit_strings.parse_many(getattr(settings, ceiling.setting)))
        return getattr(settings, ceiling.past_ceiling if reached else rule.setting)

    return current_limit


def _quietly(function, *args, default=None):
    """Storage down: as Flask-Limiter's ``swallow_errors``, serve rather than answer 500."""
    try:
        return function(*args)
    except Exception:
        log.exception("rate-limit storage failed; the ceiling is not applied")
        return default


def retry_after_seconds(default):
    """Seconds until every limit this request broke has room again (the limiter's reset times);
    ``default`` when there is no limiter breach to ask about."""
    resets = []
    try:
        for limiter in current_app.extensions.get("limiter", ()):
            # window[0]: when the limit has room again (``reset_at`` adds a second of its own)
            resets += [limit.window[0] for limit in limiter.context.view_rate_limits if limit.breached]
    except Exception:  # the storage went away between the breach and now
        return default
    if not resets:
        return default
    return max(1, math.ceil(max(resets) - time.time()))
