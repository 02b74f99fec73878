"""The types a unit can be (the ``type`` of a new unit, ``POST /api/v1/units``) and the names a
unit of each type is seeded with, at the province's or a district's level.

A code, once published, is never renamed: units and clients refer to it.
"""
from dataclasses import dataclass

PROVINCE, DISTRICT = "province", "district"


@dataclass(frozen=True)
class UnitType:
    code: str
    name_tr: str
    name_en: str
    level: str
    # None: every province; True/False: only metropolitan (büyükşehir) provinces or only the rest.
    metropolitan: bool | None = None


# Patterns are filled with {province} and {district}.
UNIT_TYPES = (
    UnitType("governorship", "{province} Valiliği", "Governorship of {province}", PROVINCE),
    UnitType("national_education", "{province} İl Milli Eğitim Müdürlüğü",
             "{province} Provincial Directorate of National Education", PROVINCE),
    UnitType("health", "{province} İl Sağlık Müdürlüğü",
             "{province} Provincial Health Directorate", PROVINCE),
    UnitType("police", "{province} İl Emniyet Müdürlüğü",
             "{province} Provincial Police Department", PROVINCE),
    UnitType("gendarmerie", "{province} İl Jandarma Komutanlığı",
             "{province} Provincial Gendarmerie Command", PROVINCE),
    UnitType("family_social_services", "{province} Aile ve Sosyal Hizmetler İl Müdürlüğü",
             "{province} Provincial Directorate of Family and Social Services", PROVINCE),
    UnitType("agriculture_forestry", "{province} İl Tarım ve Orman Müdürlüğü",
             "{province} Provincial Directorate of Agriculture and Forestry", PROVINCE),
    UnitType("environment_urbanisation",
             "{province} Çevre, Şehircilik ve İklim Değişikliği İl Müdürlüğü",
             "{province} Provincial Directorate of Environment, Urbanisation and Climate Change",
             PROVINCE),
    UnitType("social_security", "{province} Sosyal Güvenlik İl Müdürlüğü",
             "{province} Provincial Directorate of Social Security", PROVINCE),
    UnitType("employment", "{province} Çalışma ve İş Kurumu İl Müdürlüğü",
             "{province} Provincial Directorate of Labour and Employment Agency", PROVINCE),
    UnitType("revenue", "{province} Defterdarlığı", "{province} Provincial Finance Office",
             PROVINCE),
    # Tapu ve Kadastro's regional directorates each cover several provinces; its own unit in
    # every province is the cadastre directorate, while land registry offices sit in districts.
    UnitType("land_registry", "{province} Kadastro Müdürlüğü",
             "{province} Cadastre Directorate", PROVINCE),
    UnitType("municipality", "{province} Büyükşehir Belediyesi",
             "{province} Metropolitan Municipality", PROVINCE, metropolitan=True),
    UnitType("municipality", "{province} Belediyesi", "{province} Municipality", PROVINCE,
             metropolitan=False),

    UnitType("governorship", "{district} Kaymakamlığı", "District Governorship of {district}",
             DISTRICT),
    UnitType("national_education", "{district} İlçe Milli Eğitim Müdürlüğü",
             "{district} District Directorate of National Education", DISTRICT),
    UnitType("health", "{district} İlçe Sağlık Müdürlüğü",
             "{district} District Health Directorate", DISTRICT),
    UnitType("police", "{district} İlçe Emniyet Müdürlüğü",
             "{district} District Police Department", DISTRICT),
    UnitType("gendarmerie", "{district} İlçe Jandarma Komutanlığı",
             "{district} District Gendarmerie Command", DISTRICT),
    UnitType("agriculture_forestry", "{district} İlçe Tarım ve Orman Müdürlüğü",
             "{district} District Directorate of Agriculture and Forestry", DISTRICT),
    UnitType("land_registry", "{district} Tapu Müdürlüğü",
             "{district} Land Registry Office", DISTRICT),
    UnitType("municipality", "{district} Belediyesi", "{district} Municipality", DISTRICT),
)

# One per district of the province but its Merkez (the governorship itself governs that one).
DISTRICT_GOVERNORSHIP = UnitType(
    "district_governorship", "{district} Kaymakamlığı", "District Governorship of {district}",
    PROVINCE,
)

UNIT_TYPE_CODES = frozenset(unit_type.code for unit_type in UNIT_TYPES + (DISTRICT_GOVERNORSHIP,))
