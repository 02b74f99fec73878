"""Who runs the site (the header, the footer, the official reply letter) and the privacy notice's
current version: settings from the environment (docs/configuration.md#environment), checked at
start-up so a typo stops the gateway instead of reaching every page."""
import re
from dataclasses import dataclass

from common import config

DEFAULT_NAME = "Valilik Açık Kapı Bürosu"
DEFAULT_ADDRESS = "Valilik ve merkez ilçe kaymakamlığı binalarının girişindeki Açık Kapı büroları"
DEFAULT_WEBSITE = "https://www.acikkapi.gov.tr"
DEFAULT_PRIVACY_NOTICE_VERSION = "2026-12"
# The same shape the API accepts for an application's privacy_notice_version.
PRIVACY_NOTICE_VERSION = re.compile(r"[A-Za-z0-9._-]{1,32}")
WEBSITE = re.compile(r"https?://[^\s\"'<>]+")


@dataclass(frozen=True)
class SiteSettings:
    name: str = DEFAULT_NAME
    unit_name: str = ""
    address: str = DEFAULT_ADDRESS
    phone: str = ""
    email: str = ""
    kep: str = ""  # the organisation's registered e-mail (Kayıtlı Elektronik Posta) address
    website: str = DEFAULT_WEBSITE
    privacy_notice_version: str = DEFAULT_PRIVACY_NOTICE_VERSION

    def __post_init__(self):
        if not PRIVACY_NOTICE_VERSION.fullmatch(self.privacy_notice_version):
            raise ValueError("PRIVACY_NOTICE_VERSION must be 1-32 characters of A-Z a-z 0-9 . _ - (got {!r})"
                             .format(self.privacy_notice_version))
        if self.website and not WEBSITE.fullmatch(self.website):
            raise ValueError("ORGANISATION_WEBSITE must be an http:// or https:// address (got {!r})".format(self.website))
        if self.email and "@" not in self.email:
            raise ValueError("ORGANISATION_EMAIL must be an e-mail address (got {!r})".format(self.email))

    @classmethod
    def from_environment(cls):
        return cls(
            name=config.setting("ORGANISATION_NAME", DEFAULT_NAME),
            unit_name=config.setting("ORGANISATION_UNIT_NAME", ""),
            address=config.setting("ORGANISATION_ADDRESS", DEFAULT_ADDRESS),
            phone=config.setting("ORGANISATION_PHONE", ""),
            email=config.setting("ORGANISATION_EMAIL", ""),
            kep=config.setting("ORGANISATION_KEP", ""),
            website=config.setting("ORGANISATION_WEBSITE", DEFAULT_WEBSITE),
            privacy_notice_version=config.setting("PRIVACY_NOTICE_VERSION", DEFAULT_PRIVACY_NOTICE_VERSION),
        )

    def for_templates(self):
        """What every template sees as ``site``: text only, empty for what is not set."""
        return {"name": self.name, "unit_name": self.unit_name, "address": self.address, "phone": self.phone,
                "email": self.email, "kep": self.kep, "website": self.website}


def telephone_uri(number):
    """``0312 123 45 67`` → ``tel:03121234567``: digits and a leading plus only."""
    return "tel:" + re.sub(r"(?!^\+)[^0-9]", "", number.strip())
