"""Staff tokens: signed by the gateway, expiring, carrying who the officer is (design.md §2).

A token holds the principal routing returned at login (username, role,
province, unit). Missing, tampered, expired: the same 401, no hint which.
"""
import os
import time
from functools import wraps
from pathlib import Path

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import Forbidden

from common import config
from common.errors import Unauthorized, ValidationFailed
from common.fields import NOT_AN_OBJECT, REQUIRED, Field, FieldCheck, Refused, described

TOKEN_SALT = "acikkapi.staff-token"


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
    """``SECRET_KEY``, or one generated into ``DATA_DIR`` on first run and reused after.

    gunicorn workers start together: the first to create the file wins and
    the others read what it wrote.
    """
    configured = config.setting("SECRET_KEY")
    if configured:
        return configured
    path = config.data_dir() / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(os.urandom(32).hex())
    return path.read_text().strip()


def _read_when_written(path):
    for _ in range(100):
        key = Path(path).read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError("secret key file stays empty: {}".format(path))


class TokenSigner:
    def __init__(self, key, lifetime_seconds):
        self.serializer = URLSafeTimedSerializer(key, salt=TOKEN_SALT)
        self.lifetime_seconds = lifetime_seconds

    def issue(self, principal):
        return self.serializer.dumps(principal)

    def principal(self, token):
        try:
            return self.serializer.loads(token, max_age=self.lifetime_seconds)
        except BadSignature:  # SignatureExpired is a BadSignature too
            raise Unauthorized() from None


def current_principal():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return current_app.extensions["token_signer"].principal(token.strip())


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
