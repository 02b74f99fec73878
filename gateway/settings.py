"""The gateway's settings, read once from the environment (design.md §9)."""
from dataclasses import dataclass

from common import config


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    rpc_timeout_seconds: float
    readiness_timeout_seconds: float
    max_body_bytes: int
    retry_after_seconds: int
    token_lifetime_seconds: int = 3600
    secret_key: str = None  # None: SECRET_KEY, or the key generated into DATA_DIR

    @classmethod
    def from_environment(cls):
        return cls(
            amqp_uri=config.amqp_uri(),
            rpc_timeout_seconds=float(config.setting("RPC_TIMEOUT_SECONDS", "5")),
            readiness_timeout_seconds=float(config.setting("READINESS_TIMEOUT_SECONDS", "2")),
            max_body_bytes=int(config.setting("MAX_BODY_BYTES", str(64 * 1024))),
            retry_after_seconds=int(config.setting("RETRY_AFTER_SECONDS", "5")),
            token_lifetime_seconds=int(config.setting("TOKEN_LIFETIME_SECONDS", "3600")),
        )
