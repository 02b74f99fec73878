"""Turkey's 81 provinces and their districts, looked up the way citizens type them.

Citizens write ``istanbul``, ``İSTANBUL``, ``Istanbul`` or ``34`` for the same province and often
leave out Turkish letters (``sanliurfa``), so every name is compared through ``fold``.
"""
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

DATA_FILE = Path(__file__).with_name("data") / "tr_provinces_districts.json"

# Python's own lower() turns "I" into "i" and "İ" into "i" plus a combining dot; Turkish needs
# I→ı and İ→i before lowercasing, or "ISPARTA" and "İSTANBUL" would fold wrongly.
_TURKISH_CAPITAL_I = str.maketrans({"I": "ı", "İ": "i"})
_DOTLESS_I = str.maketrans({"ı": "i"})
_WHITESPACE_RUN = re.compile(r"\s+")
_V = TypeVar("_V")
_PLATE_CODE = re.compile(r"[0-9]{1,2}", re.ASCII)


class PlacesDataError(ValueError):
    """The bundled data would make two places indistinguishable once folded."""


def fold(text: str) -> str:
    """Return the key two spellings of one place name share (case, i/ı and diacritics ignored)."""
    lowered = text.translate(_TURKISH_CAPITAL_I).lower()
    # Decomposing splits ş, ğ, ç, ö, ü, â, î, û into a base letter and a mark that is then dropped;
    # ı has no decomposition, so it is mapped separately.
    decomposed = unicodedata.normalize("NFKD", lowered)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WHITESPACE_RUN.sub(" ", bare.translate(_DOTLESS_I)).strip()


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    districts: tuple[str, ...]


class Places:
    """The provinces with indexes by plate code, folded name and folded district name."""

    def __init__(self, provinces: Iterable[Mapping[str, Any]]) -> None:
        self.provinces = tuple(
            Province(code=entry["code"], name=entry["name"], districts=tuple(entry["districts"]))
            for entry in provinces
        )
        self._by_code = _index_without_collisions(
            ((province.code, province) for province in self.provinces), "plate codes"
        )
        self._by_name = _index_without_collisions(
            ((province.name, province) for province in self.provinces), "province names"
        )
        self._districts = {
            province.code: _index_without_collisions(
                ((district, district) for district in province.districts),
                f"districts of {province.name}",
            )
            for province in self.provinces
        }

    def find_province(self, text: str) -> Province | None:
        """Find a province by plate code ("6", "06") or by name in any spelling."""
        stripped = text.strip()
        if _PLATE_CODE.fullmatch(stripped):
            return self._by_code.get(stripped.zfill(2))
        return self._by_name.get(fold(stripped))

    def find_district(self, province: Province, text: str) -> str | None:
        """Return the canonical name of the province's district spelt ``text``, if it has one."""
        return self._districts[province.code].get(fold(text))

    def catalogue(self) -> list[dict[str, Any]]:
        return [
            {"code": province.code, "name": province.name, "districts": list(province.districts)}
            for province in self.provinces
        ]


def _index_without_collisions(entries: Iterable[tuple[str, _V]], what: str) -> dict[str, _V]:
    index: dict[str, _V] = {}
    for name, value in entries:
        key = fold(name)
        if key in index:
            raise PlacesDataError(f"{what}: {name!r} folds to {key!r} like another entry")
        index[key] = value
    return index


@functools.cache
def places() -> Places:
    """The bundled provinces and districts, read once on first use."""
    with DATA_FILE.open(encoding="utf-8") as data:
        return Places(json.load(data)["provinces"])
