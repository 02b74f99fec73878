"""Staff tokens: signed by the gateway, expiring, carrying who the officer is (docs/architecture.md#security-privacy).

A token holds the principal routing returned at login (username, role,
province, unit) and the account's token generation at that moment. Routing increments the
generation whenever an admin changes the officer's role, unit, activity or password, so a token
issued before is refused within ``TOKEN_CHECK_SECONDS`` (each worker remembers an officer's
generation that long) instead of keeping the old rights until it expires.
Missing, tampered, expired, stale: the same 401, no hint which.
"""
import os
import threading
import time
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import Forbidden

from common import config
from common.errors import Unauthorized, ValidationFailed
from common.fields import NOT_AN_OBJECT, REQUIRED, Field, FieldCheck, Refused, described
from gateway.rpc import services

TOKEN_SALT = "acikkapi.staff-token"
GENERATION = "token_generation"  # beside the principal in the token; never passed on to services
MAX_TOKEN_CHECK_SECONDS = 60  # revocation takes effect within a minute


@described({"type": "string", "minLength": 1})
def _credential(value):
    if not isinstance(value, str) or not value:
        raise Refused(REQUIRED)
    return value


# The login body (other fields are ignored); routing checks the credentials themselves.
LOGIN_FIELDS = {"username": Field(_credential, required=True), "password": Field(_credential, required=True)}


def credentials(body):
    """``(username, password)`` of a login body, or ``ValidationFailed`` naming what is missing."""
    if not isinstance(body, dict):
        raise ValidationFailed({"body": NOT_AN_OBJECT})
    check = FieldCheck()
    values = {name: check.apply(name, field.rule, body.get(name)) for name, field in LOGIN_FIELDS.items()}
    check.done()
    return values["username"], values["password"]


def secret_key():
    """``SECRET_KEY``, or one generated into ``DATA_DIR`` on first run and reused after (gunicorn
    workers start together: ``config.generated_secret``)."""
    return config.generated_secret("SECRET_KEY", "secret_key", lambda: os.urandom(32).hex())


class TokenSigner:
    def __init__(self, key, lifetime_seconds):
        self.serializer = URLSafeTimedSerializer(key, salt=TOKEN_SALT)
        self.lifetime_seconds = lifetime_seconds

    def issue(self, principal, generation=0):
        return self.serializer.dumps(dict(principal, **{GENERATION: generation}))

    def verified(self, token):
        """``(principal, generation)`` of a token this key signed and that has not expired."""
        try:
            payload = self.serializer.loads(token, max_age=self.lifetime_seconds)
        except BadSignature:  # SignatureExpired is a BadSignature too
            raise Unauthorized() from None
        generation = payload.pop(GENERATION, 0)
        return payload, generation

    def principal(self, token):
        return self.verified(token)[0]

    def expires_at(self, token):
        """When a token this key signed stops being honoured (its signing time plus the lifetime)."""
        try:
            _, signed_at = self.serializer.loads(token, max_age=self.lifetime_seconds, return_timestamp=True)
        except BadSignature:
            raise Unauthorized() from None
        return signed_at + timedelta(seconds=self.lifetime_seconds)


class TokenGenerations:
    """Each officer's current token generation as routing says, remembered per worker for
    ``check_seconds`` (so a revocation takes at most that long, plus a request's time).

    ``fetch(username)`` asks routing; routing unreachable is 503 for the staff routes: a token
    cannot be honoured without knowing it was not revoked.
    """

    def __init__(self, check_seconds, fetch=None):
        if not 0 <= check_seconds <= MAX_TOKEN_CHECK_SECONDS:
            raise ValueError("TOKEN_CHECK_SECONDS must be between 0 and {}: {!r}"
                             .format(MAX_TOKEN_CHECK_SECONDS, check_seconds))
        self.check_seconds = check_seconds
        self._fetch = fetch or _generation_from_routing
        self._lock = threading.Lock()
        self._known = {}  # username -> (generation or None, monotonic time it was fetched)

    def current(self, username):
        """Asks routing now, remembering nothing: at login, where the name is anyone's input. The
        token carries what routing said before the password was checked, so a change in between
        makes the token stale, never the reverse."""
        return self._fetch(username)

    def require(self, username, presented):
        """Unauthorized unless ``presented`` is the officer's current generation (``username`` is from
        a signed token, so what is remembered is bounded by the real accounts)."""
        if not isinstance(presented, int):  # issued while the account had none (deactivated meanwhile)
            raise Unauthorized()
        with self._lock:
            known = self._known.get(username)
        fresh = known is not None and time.monotonic() - known[1] < self.check_seconds
        # A token newer than what this worker remembers: the officer logged in again since.
        if not fresh or (known[0] is not None and presented > known[0]):
            generation = self._fetch(username)
            with self._lock:
                self._known[username] = (generation, time.monotonic())
        else:
            generation = known[0]
        if generation is None or presented != generation:
            raise Unauthorized()


def _generation_from_routing(username):
    return services().call("routing", "token_generation", username)


def bearer_token():
    """The token of the request's ``Authorization: Bearer …`` header; Unauthorized without one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


def current_principal():
    principal, generation = current_app.extensions["token_signer"].verified(bearer_token())
    current_app.extensions["token_generations"].require(principal["username"], generation)
    return principal


def staff_only(*roles):
    """The route needs a valid token (else 401) of one of ``roles`` (else 403);
    the officer is then ``g.principal``."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal["role"] not in roles:
                raise Forbidden()
            g.principal = principal
            return view(*args, **kwargs)

        guarded.allowed_roles = roles
        return guarded

    return decorate
