import re
from collections import Counter

import pytest

from common.places import Places, PlacesDataError, places
from contracts.intake.catalog import CATEGORIES
from services.routing.unit_catalog import (
    CATEGORY_UNIT_TYPES,
    CENTRAL_DISTRICTS,
    UNIT_TYPES,
    metropolitan_codes,
    seed_units,
    slug,
    suggest_unit,
)

CORE_TYPES = {
    "governorship", "national_education", "health", "police", "gendarmerie",
    "family_social_services", "agriculture_forestry", "environment_urbanisation",
    "social_security", "employment", "revenue", "land_registry", "municipality",
}
UNIT_ID = re.compile(r"[0-9]{2}(-[a-z0-9_]+)+", re.ASCII)


@pytest.fixture(scope="module")
def units():
    return seed_units(places())


def province_catalogue(units, code):
    return [unit for unit in units if unit["province_code"] == code and unit["district"] is None]


def units_of_province(units, code):
    return [unit for unit in units if unit["province_code"] == code]


def by_id(units):
    return {unit["unit_id"]: unit for unit in units}


def test_every_province_has_the_core_types_once(units):
    for province in places().provinces:
        types = Counter(unit["type"] for unit in province_catalogue(units, province.code))
        assert CORE_TYPES <= set(types), province.name
        assert all(types[code] == 1 for code in CORE_TYPES), province.name


def test_province_units_are_named_after_their_province(units):
    ankara = by_id(units)
    assert ankara["06-governorship"]["name"] == "Ankara Valiliği"
    assert ankara["06-national_education"]["name"] == "Ankara İl Milli Eğitim Müdürlüğü"
    assert ankara["06-health"]["name_en"] == "Ankara Provincial Health Directorate"
    assert ankara["81-environment_urbanisation"]["name"] == (
        "Düzce Çevre, Şehircilik ve İklim Değişikliği İl Müdürlüğü"
    )


def test_the_30_metropolitan_provinces_have_a_metropolitan_municipality(units):
    codes = metropolitan_codes(places())
    assert len(codes) == 30
    assert {"01", "06", "34", "35", "46", "54", "59", "63", "65"} <= codes
    for province in places().provinces:
        municipality = by_id(units)["{}-municipality".format(province.code)]
        if province.code in codes:
            assert municipality["name"] == "{} Büyükşehir Belediyesi".format(province.name)
            assert municipality["name_en"] == "{} Metropolitan Municipality".format(province.name)
        else:
            assert municipality["name"] == "{} Belediyesi".format(province.name)


def test_metropolitan_provinces_are_exactly_those_without_a_merkez_district():
    without_merkez = {p.code for p in places().provinces if "Merkez" not in p.districts}
    assert metropolitan_codes(places()) == without_merkez


def test_every_district_but_merkez_has_exactly_one_kaymakamlik(units):
    """In the province catalogue, or, for a central district, in the district's own catalogue."""
    kaymakamliks = [(unit["province_code"], unit["name"]) for unit in units
                    if unit["name"].endswith("Kaymakamlığı")]
    expected = [
        (province.code, "{} Kaymakamlığı".format(district))
        for province in places().provinces for district in province.districts
        if district != "Merkez"
    ]
    assert len(expected) == 922
    assert sorted(kaymakamliks) == sorted(expected)
    central = {(code, district) for code, districts in CENTRAL_DISTRICTS.items() for district in districts}
    for unit in units:
        if unit["type"] == "district_governorship":
            assert unit["district"] is None
            assert (unit["province_code"], unit["name"].removesuffix(" Kaymakamlığı")) not in central
    assert by_id(units)["06-kaymakamlik-polatli"]["name"] == "Polatlı Kaymakamlığı"
    assert by_id(units)["55-kaymakamlik-19-mayis"]["name"] == "19 Mayıs Kaymakamlığı"
    assert "02-kaymakamlik-merkez" not in by_id(units)


def test_central_district_names_are_as_in_the_data():
    for code, districts in CENTRAL_DISTRICTS.items():
        province = places().find_province(code)
        assert set(districts) <= set(province.districts)
        assert len(set(districts)) == len(districts)
    assert set(CENTRAL_DISTRICTS["34"]) == set(places().find_province("34").districts)


def test_central_districts_have_their_own_catalogue(units):
    district_types = {unit_type.code for unit_type in UNIT_TYPES if unit_type.level == "district"}
    for code, districts in CENTRAL_DISTRICTS.items():
        for district in districts:
            catalogue = [unit for unit in units if unit["district"] == district
                         and unit["province_code"] == code]
            assert sorted(unit["type"] for unit in catalogue) == sorted(district_types), district
    cankaya = by_id(units)
    assert cankaya["06-cankaya-national_education"]["name"] == "Çankaya İlçe Milli Eğitim Müdürlüğü"
    assert cankaya["06-cankaya-governorship"]["name"] == "Çankaya Kaymakamlığı"
    assert cankaya["06-cankaya-municipality"]["name"] == "Çankaya Belediyesi"
    assert cankaya["06-cankaya-land_registry"]["name"] == "Çankaya Tapu Müdürlüğü"
    assert cankaya["34-kadikoy-health"]["name"] == "Kadıköy İlçe Sağlık Müdürlüğü"


def test_only_central_districts_have_district_catalogues(units):
    catalogues = {(unit["province_code"], unit["district"]) for unit in units if unit["district"]}
    assert catalogues == {
        (code, district) for code, districts in CENTRAL_DISTRICTS.items() for district in districts
    }
    assert not any(unit["district"] == "Polatlı" for unit in units)


def test_unit_ids_are_unique_ascii_and_equal_to_the_document_id(units):
    ids = [unit["unit_id"] for unit in units]
    assert len(ids) == len(set(ids))
    for unit in units:
        assert unit["_id"] == unit["unit_id"]
        assert UNIT_ID.fullmatch(unit["unit_id"]), unit["unit_id"]
        assert unit["unit_id"].startswith(unit["province_code"] + "-")


def test_unit_ids_are_stable_across_runs(units):
    assert seed_units(places()) == units
    assert seed_units(Places(places().catalogue())) == units


def test_unit_documents_have_the_seed_shape(units):
    for unit in units:
        assert set(unit) == {"_id", "unit_id", "province_code", "province", "district", "type",
                             "name", "name_en", "active", "seeded"}
        assert unit["active"] is True and unit["seeded"] is True
        assert unit["province"] == places().find_province(unit["province_code"]).name


def test_slug_folds_turkish_letters_and_joins_words():
    assert slug("Şereflikoçhisar") == "sereflikochisar"
    assert slug("19 Mayıs") == "19-mayis"
    assert slug("İSTANBUL") == "istanbul"


def test_every_intake_category_maps_to_a_seeded_type():
    seeded_types = {unit_type.code for unit_type in UNIT_TYPES}
    assert set(CATEGORY_UNIT_TYPES) == set(CATEGORIES)
    assert set(CATEGORY_UNIT_TYPES.values()) <= seeded_types


def test_a_province_without_a_listed_central_district_is_refused():
    table = Places([{"code": "06", "name": "Ankara", "districts": ["Çankaya"]}])
    with pytest.raises(PlacesDataError):
        seed_units(table)


# --- suggestions -------------------------------------------------------------------------------

def suggested_id(units, category, district):
    suggestion = suggest_unit(units, category, district)
    return suggestion and suggestion["unit_id"]


def test_central_district_application_goes_to_the_district_unit(units):
    ankara = units_of_province(units, "06")
    assert suggested_id(ankara, "health", "Çankaya") == "06-cankaya-health"
    assert suggested_id(ankara, "municipal", "Çankaya") == "06-cankaya-municipality"
    assert suggested_id(ankara, "transport", "cankaya") == "06-cankaya-municipality"


def test_type_missing_from_the_district_catalogue_falls_back_to_the_province(units):
    ankara = units_of_province(units, "06")
    assert suggested_id(ankara, "social_assistance", "Çankaya") == "06-family_social_services"
    assert suggested_id(ankara, "tax", "Çankaya") == "06-revenue"


def test_other_district_application_goes_to_the_province_unit(units):
    ankara = units_of_province(units, "06")
    assert suggested_id(ankara, "education", "Polatlı") == "06-national_education"
    assert suggested_id(ankara, "education", None) == "06-national_education"
    assert suggested_id(units_of_province(units, "02"), "health", "Merkez") == "02-health"


def test_every_category_suggests_a_unit_in_every_province(units):
    for province in places().provinces:
        catalogue = units_of_province(units, province.code)
        for category in CATEGORIES:
            assert suggest_unit(catalogue, category, None) is not None, (province.name, category)


def test_general_and_unknown_categories_go_to_the_governorship(units):
    izmir = units_of_province(units, "35")
    assert suggested_id(izmir, "general", None) == "35-governorship"
    assert suggested_id(izmir, "other", "Tire") == "35-governorship"
    assert suggested_id(izmir, "astrology", None) == "35-governorship"
    assert suggested_id(izmir, "astrology", "Konak") == "35-konak-governorship"


def test_inactive_units_are_never_suggested(units):
    ankara = [dict(unit) for unit in units_of_province(units, "06")]
    for unit in ankara:
        if unit["type"] == "health":
            unit["active"] = False
    assert suggest_unit(ankara, "health", "Çankaya") is None
    assert suggest_unit(ankara, "health", "Polatlı") is None


def test_inactive_district_unit_falls_back_to_the_active_province_unit(units):
    ankara = [dict(unit) for unit in units_of_province(units, "06")]
    for unit in ankara:
        if unit["unit_id"] == "06-cankaya-health":
            unit["active"] = False
    assert suggested_id(ankara, "health", "Çankaya") == "06-health"


def test_no_units_no_suggestion():
    assert suggest_unit([], "health", "Çankaya") is None
