"""Staff passwords: argon2id hashes (docs/architecture.md#security-privacy)."""
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password):
    return _hasher.hash(password)


def verify_password(password_hash, password):
    """True if ``password`` matches; an unknown user is checked against a dummy hash, so
    "no such user" and "wrong password" take the same time."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash():
    return _hasher.hash("not a real password; only here to spend the same time")
