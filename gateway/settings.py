"""The gateway's settings, read once from the environment (docs/configuration.md#environment)."""
from dataclasses import dataclass, field

from common import config
from gateway.callbacks import CallbackSettings
from gateway.limits import RateLimitSettings
from gateway.security import SecuritySettings
from gateway.web.site import SiteSettings


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    rpc_timeout_seconds: float
    readiness_timeout_seconds: float
    max_body_bytes: int
    retry_after_seconds: int
    token_lifetime_seconds: int = 3600
    token_check_seconds: float = 30  # how long a worker trusts an officer's token generation (auth.py)
    secret_key: str | None = None  # None: SECRET_KEY, or the key generated into DATA_DIR
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-For entry is believed
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    # Read when the settings are made, unless given: an app without a callback token refuses every report.
    callbacks: CallbackSettings = field(default_factory=CallbackSettings.from_environment)
    site: SiteSettings = field(default_factory=SiteSettings)  # who runs the site, the privacy notice's version
    bench_probe: bool = False  # GET /bench/rpc-echo (gateway/ceiling.py): for make bench only

    @classmethod
    def from_environment(cls):
        return cls(
            amqp_uri=config.amqp_uri(),
            rpc_timeout_seconds=float(config.setting("RPC_TIMEOUT_SECONDS", "5")),
            readiness_timeout_seconds=float(config.setting("READINESS_TIMEOUT_SECONDS", "2")),
            max_body_bytes=int(config.setting("MAX_BODY_BYTES", str(64 * 1024))),
            retry_after_seconds=int(config.setting("RETRY_AFTER_SECONDS", "5")),
            token_lifetime_seconds=int(config.setting("TOKEN_LIFETIME_SECONDS", "3600")),
            token_check_seconds=float(config.setting("TOKEN_CHECK_SECONDS", "30")),
            trusted_proxies=int(config.setting("TRUSTED_PROXIES", "0")),
            rate_limits=RateLimitSettings.from_environment(),
            security=SecuritySettings.from_environment(),
            callbacks=CallbackSettings.from_environment(),
            site=SiteSettings.from_environment(),
            bench_probe=config.setting("BENCH_PROBE_ENABLED", "false").strip().lower() in ("1", "true", "yes", "on"),
        )
