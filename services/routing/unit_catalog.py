"""The units applications are routed to, as first seeded, and which unit a category suggests.

Every province has one catalogue (its Açık Kapı desk at the governorship); the central districts
of İstanbul, Ankara and İzmir that run desks of their own have a district catalogue too. A unit
document's ``district`` names the catalogue it belongs to (``None`` for the province's), not
merely where the unit sits: "Polatlı Kaymakamlığı" is a unit of Ankara's province catalogue.

Unit ids are built from plate codes, type codes and folded names only, so a re-seed finds the
same ids and applications already routed keep pointing at their unit.
"""
from collections.abc import Iterable, Mapping
from typing import Any

from common.places import Places, PlacesDataError, Province, fold
from contracts.routing.unit_types import DISTRICT, DISTRICT_GOVERNORSHIP, PROVINCE, UNIT_TYPES, UnitType

MERKEZ = "Merkez"

# The 30 büyükşehir provinces (Law 6360 and its successors); codes come from the data.
METROPOLITAN_PROVINCES = (
    "Adana", "Ankara", "Antalya", "Aydın", "Balıkesir", "Bursa", "Denizli", "Diyarbakır",
    "Erzurum", "Eskişehir", "Gaziantep", "Hatay", "Mersin", "İstanbul", "İzmir", "Kayseri",
    "Kocaeli", "Konya", "Malatya", "Manisa", "Kahramanmaraş", "Mardin", "Muğla", "Ordu",
    "Sakarya", "Samsun", "Tekirdağ", "Trabzon", "Şanlıurfa", "Van",
)

CENTRAL_DISTRICTS = {
    "34": (
        "Adalar", "Arnavutköy", "Ataşehir", "Avcılar", "Bahçelievler", "Bakırköy", "Bayrampaşa",
        "Bağcılar", "Başakşehir", "Beykoz", "Beylikdüzü", "Beyoğlu", "Beşiktaş", "Büyükçekmece",
        "Esenler", "Esenyurt", "Eyüpsultan", "Fatih", "Gaziosmanpaşa", "Güngören", "Kadıköy",
        "Kartal", "Kağıthane", "Küçükçekmece", "Maltepe", "Pendik", "Sancaktepe", "Sarıyer",
        "Silivri", "Sultanbeyli", "Sultangazi", "Tuzla", "Zeytinburnu", "Çatalca", "Çekmeköy",
        "Ümraniye", "Üsküdar", "Şile", "Şişli",
    ),
    "06": ("Altındağ", "Çankaya", "Etimesgut", "Gölbaşı", "Keçiören", "Mamak", "Pursaklar",
           "Sincan", "Yenimahalle"),
    "35": ("Balçova", "Bayraklı", "Bornova", "Buca", "Çiğli", "Gaziemir", "Karabağlar",
           "Karşıyaka", "Konak", "Narlıdere"),
}

GENERAL_MATTERS = "governorship"

# Transport goes to the municipality: the state's transport units (Karayolları, Ulaştırma ve
# Altyapı) are regional directorates, none of them a unit of one province.
CATEGORY_UNIT_TYPES = {
    "general": GENERAL_MATTERS,
    "education": "national_education",
    "health": "health",
    "public_order": "police",
    "transport": "municipality",
    "municipal": "municipality",
    "environment": "environment_urbanisation",
    "social_assistance": "family_social_services",
    "agriculture": "agriculture_forestry",
    "labour": "social_security",
    "tax": "revenue",
    "land_registry": "land_registry",
    "other": GENERAL_MATTERS,
}


def slug(name: str) -> str:
    return fold(name).replace(" ", "-")


def metropolitan_codes(places: Places) -> frozenset[str]:
    return frozenset(_province_named(places, name).code for name in METROPOLITAN_PROVINCES)


def seed_units(places: Places) -> list[dict[str, Any]]:
    """Every province's catalogue, then the central districts' catalogues."""
    metropolitan = metropolitan_codes(places)
    units: list[dict[str, Any]] = []
    for province in places.provinces:
        is_metropolitan = province.code in metropolitan
        units.extend(
            _unit(unit_type, province, None, "{}-{}".format(province.code, unit_type.code))
            for unit_type in _types_of(PROVINCE, is_metropolitan)
        )
        central = _central_districts(places, province)
        # A central district's Kaymakamlık is in its own catalogue: one office, one unit id.
        units.extend(
            _unit(DISTRICT_GOVERNORSHIP, province, None,
                  "{}-kaymakamlik-{}".format(province.code, slug(district)), district)
            for district in province.districts if district != MERKEZ and district not in central
        )
        for district in central:
            units.extend(
                _unit(unit_type, province, district,
                      "{}-{}-{}".format(province.code, slug(district), unit_type.code))
                for unit_type in _types_of(DISTRICT, is_metropolitan)
            )
    return units


def suggest_unit(units: Iterable[Mapping[str, Any]], category: str, district: str | None) -> Mapping[str, Any] | None:
    """The unit of one province's ``units`` that a ``category`` application most likely belongs to.

    An application from a district with its own catalogue goes to that district's unit of the
    type, or to the province's when the district has none of it (family services, revenue, ...).
    """
    type_code = CATEGORY_UNIT_TYPES.get(category, GENERAL_MATTERS)
    # The seeded unit first: a unit an admin adds beside it must not take over every suggestion.
    fitting = sorted(
        (unit for unit in units if unit.get("active") and unit["type"] == type_code),
        key=lambda unit: (not unit.get("seeded", False), unit["unit_id"]),
    )
    catalogues = ([fold(district)] if district else []) + [None]
    for catalogue in catalogues:
        for unit in fitting:
            if _in_catalogue(unit, catalogue):
                return unit
    return None


def _in_catalogue(unit: Mapping[str, Any], folded_district: str | None) -> bool:
    if unit.get("district") is None:
        return folded_district is None
    return fold(unit["district"]) == folded_district


def _types_of(level: str, is_metropolitan: bool) -> list[UnitType]:
    return [
        unit_type for unit_type in UNIT_TYPES
        if unit_type.level == level and unit_type.metropolitan in (None, is_metropolitan)
    ]


def _unit(unit_type: UnitType, province: Province, district: str | None, unit_id: str,
          named_after: str | None = None) -> dict[str, Any]:
    names = {"province": province.name, "district": named_after or district}
    return {
        "_id": unit_id,
        "unit_id": unit_id,
        "province_code": province.code,
        "province": province.name,
        "district": district,
        "type": unit_type.code,
        "name": unit_type.name_tr.format(**names),
        "name_en": unit_type.name_en.format(**names),
        "active": True,
        "seeded": True,
    }


def _province_named(places: Places, name: str) -> Province:
    province = places.find_province(name)
    if province is None or province.name != name:
        raise PlacesDataError("no province named {!r} in the places data".format(name))
    return province


def _central_districts(places: Places, province: Province) -> tuple[str, ...]:
    districts = CENTRAL_DISTRICTS.get(province.code, ())
    for district in districts:
        if places.find_district(province, district) != district:
            raise PlacesDataError("{} has no district named {!r}".format(province.name, district))
    return districts
