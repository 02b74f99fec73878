"""What an application can be about (kinds, categories) and the catalogue client forms show.

Both tables can grow; a code, once published, is never renamed, since stored applications and
clients refer to it.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from common.places import places


@dataclass(frozen=True)
class Label:
    tr: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"tr": self.tr, "en": self.en}


@dataclass(frozen=True)
class Kind:
    code: str
    name: Label
    answer_days: int = 7


@dataclass(frozen=True)
class Category:
    code: str
    name: Label


_Entry = TypeVar("_Entry", Kind, Category)


def _by_code(entries: Iterable[_Entry]) -> Mapping[str, _Entry]:
    return MappingProxyType({entry.code: entry for entry in entries})


KINDS = _by_code([
    Kind("request", Label("Talep", "Request")),
    Kind("complaint", Label("Şikâyet", "Complaint")),
    Kind("suggestion", Label("Öneri", "Suggestion")),
])

CATEGORIES = _by_code([
    Category("general", Label("Genel", "General")),
    Category("education", Label("Eğitim", "Education")),
    Category("health", Label("Sağlık", "Health")),
    Category("public_order", Label("Güvenlik ve kamu düzeni", "Security and public order")),
    Category("transport", Label("Ulaşım", "Transport")),
    Category("municipal", Label("Belediye hizmetleri", "Municipal services")),
    Category("environment", Label("Çevre ve şehircilik", "Environment and urbanisation")),
    Category("social_assistance", Label("Sosyal yardım ve aile", "Social assistance and family")),
    Category("agriculture", Label("Tarım ve orman", "Agriculture and forestry")),
    Category("labour", Label("Çalışma ve sosyal güvenlik", "Labour and social security")),
    Category("tax", Label("Vergi ve maliye", "Tax and finance")),
    Category("land_registry", Label("Tapu ve kadastro", "Land registry and cadastre")),
    Category("other", Label("Diğer", "Other")),
])

DEFAULT_CATEGORY = "general"


def client_catalogue() -> dict[str, Any]:
    """Everything a web, app or desk form offers the citizen to choose from."""
    return {
        "kinds": [{"code": kind.code, "name": kind.name.as_dict()} for kind in KINDS.values()],
        "categories": [
            {"code": category.code, "name": category.name.as_dict()}
            for category in CATEGORIES.values()
        ],
        "provinces": places().catalogue(),
    }
