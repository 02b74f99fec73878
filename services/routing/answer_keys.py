"""The keys routing signs answers with (docs/configuration.md#answer-signing): ``ANSWER_SIGNING_KEYS``,
or on a single machine a key generated into ``DATA_DIR`` on first run (every routing process of the
machine shares it). Read once at start-up: a bad setting stops the service rather than sign nothing."""
from collections.abc import Mapping
from dataclasses import dataclass

from nameko.extensions import DependencyProvider

from common import config
from services.routing.answer_signing import (
    SETTING,
    SigningKey,
    key_setting,
    new_signing_key,
    parse_signing_keys,
    public_key_view,
)

LOCAL_KEY_ID = "local-1"


@dataclass(frozen=True)
class Keyring:
    keys: tuple[SigningKey, ...]  # the signing key first, then those kept to verify older answers

    @property
    def signing(self) -> SigningKey:
        return self.keys[0]

    @property
    def public_keys(self) -> Mapping[str, str]:
        return {key.key_id: key.public_key_b64 for key in self.keys}

    def views(self) -> list[dict[str, str]]:
        return [public_key_view(key) for key in self.keys]


def configured_keys_setting() -> str:
    """``ANSWER_SIGNING_KEYS``, or the machine's generated key in that form."""
    return config.generated_secret(SETTING, "answer_signing_keys", lambda: key_setting(new_signing_key(LOCAL_KEY_ID)))


def configured_keyring(text: str | None = None) -> Keyring:
    """The keys of ``text`` (default: ``configured_keys_setting()``); ValueError for none."""
    keys = parse_signing_keys(text if text is not None else configured_keys_setting())
    if not keys:
        raise ValueError("{} holds no key".format(SETTING))
    return Keyring(tuple(keys))


class AnswerKeys(DependencyProvider):
    """Injects the ``Keyring``."""

    def setup(self):
        self.keyring = configured_keyring()

    def get_dependency(self, worker_ctx):
        return self.keyring
