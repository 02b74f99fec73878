import json
import unicodedata

import pytest

from common.places import DATA_FILE, Places, PlacesDataError, Province, fold, places


def without_turkish_letters(text):
    return fold(text).title()


def test_bundled_data_holds_81_provinces_and_973_districts():
    provinces = places().provinces
    assert len(provinces) == 81
    assert sum(len(province.districts) for province in provinces) == 973


def test_plate_codes_run_from_01_to_81():
    assert [province.code for province in places().provinces] == [
        f"{number:02d}" for number in range(1, 82)
    ]


def test_licence_travels_with_the_data():
    licence = DATA_FILE.with_name("tr_provinces_districts.LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence
    assert "Murat Gözel" in licence


def test_data_is_read_once():
    assert places() is places()


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("İstanbul", "istanbul"),
        ("İSTANBUL", "istanbul"),
        ("Istanbul", "istanbul"),
        ("ISTANBUL", "istanbul"),
        ("istanbul", "istanbul"),
        ("Şanlıurfa", "sanliurfa"),
        ("ŞANLIURFA", "sanliurfa"),
        ("sanliurfa", "sanliurfa"),
        ("Iğdır", "igdir"),
        ("IĞDIR", "igdir"),
        ("Çanakkale", "canakkale"),
        ("Gümüşhane", "gumushane"),
        ("Kütahya", "kutahya"),
        ("Şikâyet", "sikayet"),
        ("Hîcrî", "hicri"),
        ("Rûm", "rum"),
        ("  Kahraman   maraş ", "kahraman maras"),
    ],
)
def test_fold_ignores_case_dotted_i_and_turkish_diacritics(spelling, key):
    assert fold(spelling) == key


def test_fold_treats_decomposed_letters_like_composed_ones():
    assert fold(unicodedata.normalize("NFD", "Şanlıurfa")) == "sanliurfa"
    assert fold(unicodedata.normalize("NFD", "İSTANBUL")) == "istanbul"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("34", "İstanbul"),
        ("6", "Ankara"),
        ("06", "Ankara"),
        (" 06 ", "Ankara"),
        ("1", "Adana"),
        ("81", "Düzce"),
        ("istanbul", "İstanbul"),
        ("İSTANBUL", "İstanbul"),
        ("Istanbul", "İstanbul"),
        ("ISTANBUL", "İstanbul"),
        ("sanliurfa", "Şanlıurfa"),
        ("Şanlıurfa", "Şanlıurfa"),
        ("ISPARTA", "Isparta"),
        ("ısparta", "Isparta"),
        ("igdir", "Iğdır"),
        ("  izmir ", "İzmir"),
        ("KIRIKKALE", "Kırıkkale"),
    ],
)
def test_province_found_by_plate_code_or_any_spelling_of_its_name(text, name):
    assert places().find_province(text).name == name


@pytest.mark.parametrize(
    "text", ["0", "00", "82", "99", "006", "100", "-6", "+6", "Atlantis", "", "İstanbull"]
)
def test_unknown_province_is_none(text):
    assert places().find_province(text) is None


def test_plate_code_must_be_ascii_digits():
    assert places().find_province("٣٤") is None


def test_every_province_is_found_by_its_name_in_any_case_and_without_turkish_letters():
    for province in places().provinces:
        for spelling in (province.name, province.name.upper(), province.name.lower(),
                         without_turkish_letters(province.name), province.code):
            assert places().find_province(spelling) is province, spelling


def test_every_district_is_found_by_its_name_in_any_case_and_without_turkish_letters():
    for province in places().provinces:
        for district in province.districts:
            for spelling in (district, district.upper(), district.lower(),
                             without_turkish_letters(district)):
                assert places().find_district(province, spelling) == district, spelling


@pytest.mark.parametrize(
    ("province", "spelling", "district"),
    [
        ("06", "cankaya", "Çankaya"),
        ("06", "ÇANKAYA", "Çankaya"),
        ("34", "kadikoy", "Kadıköy"),
        ("34", "Kadıköy", "Kadıköy"),
        ("63", "haliliye", "Haliliye"),
        ("55", "19 mayis", "19 Mayıs"),
        ("02", "merkez", "Merkez"),
    ],
)
def test_district_found_within_its_province(province, spelling, district):
    assert places().find_district(places().find_province(province), spelling) == district


@pytest.mark.parametrize(
    ("province", "spelling"),
    [("06", "Kadıköy"), ("34", "Çankaya"), ("34", "Merkez"), ("35", "Atlantis"), ("35", "")],
)
def test_district_of_another_province_or_unknown_is_none(province, spelling):
    assert places().find_district(places().find_province(province), spelling) is None


def test_catalogue_lists_every_province_with_its_districts():
    catalogue = places().catalogue()
    assert len(catalogue) == 81
    assert catalogue[33] == {
        "code": "34",
        "name": "İstanbul",
        "districts": list(places().find_province("34").districts),
    }
    assert all(set(entry) == {"code", "name", "districts"} for entry in catalogue)
    assert json.loads(json.dumps(catalogue)) == catalogue


def test_changing_a_catalogue_copy_leaves_the_places_alone():
    places().catalogue()[0]["districts"].clear()
    assert places().catalogue()[0]["districts"]


def test_provinces_are_immutable():
    with pytest.raises(AttributeError):
        places().provinces[0].name = "Elsewhere"
    assert isinstance(places().provinces[0].districts, tuple)


def test_small_places_table_works_like_the_bundled_one():
    table = Places([{"code": "01", "name": "Çay", "districts": ["Öz", "Iğ"]}])
    assert table.provinces == (Province(code="01", name="Çay", districts=("Öz", "Iğ")),)
    assert table.find_province("cay") is table.provinces[0]
    assert table.find_district(table.provinces[0], "IG") == "Iğ"


@pytest.mark.parametrize(
    "provinces",
    [
        [
            {"code": "01", "name": "Çay", "districts": []},
            {"code": "02", "name": "CAY", "districts": []},
        ],
        [{"code": "01", "name": "Çay", "districts": ["Şile", "sile"]}],
        [{"code": "01", "name": "Çay", "districts": ["Iğdır", "İğdir"]}],
        [
            {"code": "01", "name": "Çay", "districts": []},
            {"code": "01", "name": "Ova", "districts": []},
        ],
    ],
)
def test_names_or_codes_that_fold_alike_are_refused_at_load(provinces):
    with pytest.raises(PlacesDataError):
        Places(provinces)
