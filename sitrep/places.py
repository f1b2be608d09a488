"""Offline gazetteer: countries, first- and second-level regions and populated places.

The data is `seeds/gazetteer.tsv.gz` (GeoNames, CC BY 4.0; built by
`scripts/build_gazetteer.py`) plus the hand-written `seeds/place_aliases.toml`.
Every name is indexed by its `normalise()` key, which the build script also uses to
write the keys column, so changing `normalise` means rebuilding the data file.

Loading is lazy: `load_gazetteer()` reads the file once, and `Place` objects are only
made for rows a caller asks about.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib.resources import files

log = logging.getLogger(__name__)

DATA_FILE = "gazetteer.tsv.gz"
ALIASES_FILE = "place_aliases.toml"
KINDS = ("country", "admin1", "admin2", "place")
SUGGEST_MIN_POPULATION = 100_000

_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
# Letters NFKD does not decompose into a base letter, and apostrophe-likes and dots, which
# are dropped so that "Sana'a" == "Sanaa" and "U.S." == "US".
_FOLD = str.maketrans(
    {
        "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h",
        "Ħ": "H", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th",
        "Þ": "Th", "ð": "d", "Ð": "D", "ə": "e", "Ə": "E", "ǝ": "e", "Ǝ": "E",
        **dict.fromkeys("'’‘ʼʻʾʿ`´.", None),
    }
)  # fmt: skip
_SEPARATORS = re.compile(r"[\W_]+")


def normalise(name: str) -> str:
    """Lookup key: case-folded, accents removed, punctuation runs turned into one space."""
    text = name.translate(_FOLD)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", text.casefold()).strip()


@dataclass(frozen=True, slots=True)
class Place:
    """A country, region or populated place.

    `population` is the census figure for countries and places; for admin1/admin2 it is
    the sum over the listed places, which is only good for ranking.
    """

    name: str
    kind: str
    country_code: str
    country: str
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    population: int

    @property
    def region_key(self) -> str:
        """Country|admin1|admin2|place, cut at the place's own level: "PK|Khyber Pakhtunkhwa".

        A place outside any listed admin2 keeps the empty field: "PK|Khyber Pakhtunkhwa||Tank".
        """
        parts = [self.country_code, self.admin1 or "", self.admin2 or "", self.name]
        return "|".join(parts[: _KIND_RANK[self.kind] + 1])

    @property
    def label(self) -> str:
        """Human-readable, e.g. "Khyber, Khyber Pakhtunkhwa (Pakistan)"."""
        if self.kind == "country":
            return self.name
        parents = {"admin1": (), "admin2": (self.admin1,), "place": (self.admin2, self.admin1)}
        names = [self.name]
        for parent in filter(None, parents[self.kind]):
            if normalise(parent) != normalise(names[-1]):  # the town of Tank in Tank district
                names.append(parent)
        return ", ".join(names) + f" ({self.country})"


class Gazetteer:
    """Name index over the data file rows; see the module docstring.

    Rows stay raw TSV lines until asked for. The index maps a key to a row number, or
    to a list of them when several places share the key (most keys are unique, and an
    int costs far less memory than a list).
    """

    def __init__(self, lines: list[str], aliases: dict) -> None:
        self._rows = lines
        self._index: dict[str, int | list[int]] = {}
        self._places: dict[int, Place] = {}
        self._country_rows: dict[str, int] = {}
        self._demonyms: dict[str, int] = {}
        self._suggest_keys: list[str] = []  # with _suggest_rows: what `suggest` searches
        self._suggest_rows: list[int] = []
        self._index_rows()
        self._add_aliases(aliases)
        self.max_tokens = max(map(str.count, self._index, itertools.repeat(" "))) + 1

    def _index_rows(self) -> None:
        """Index the data file rows: most of the load time, so `_index_key` is inlined."""
        index, get = self._index, self._index.get
        suggest_keys, suggest_rows = self._suggest_keys, self._suggest_rows
        for row, line in enumerate(self._rows):
            kind, name, code, _, _, _, _, population, keys = line.split("\t")
            if kind == "country":
                self._country_rows[code] = row
            suggestible = kind != "place" or int(population) >= SUGGEST_MIN_POPULATION
            for key in keys.split("|"):
                key = key or name.lower()  # the build leaves out a key that is just that
                rows = get(key)  # a row's keys are distinct, so no duplicate check
                if rows is None:
                    index[key] = row
                elif rows.__class__ is int:
                    index[key] = [rows, row]
                else:
                    rows.append(row)
                if suggestible:
                    suggest_keys.append(key)
                    suggest_rows.append(row)

    def _index_key(self, key: str, row: int, suggestible: bool) -> None:
        rows = self._index.get(key)
        if rows is None:
            self._index[key] = row
        elif rows.__class__ is int:
            if rows != row:
                self._index[key] = [rows, row]
        elif row not in rows:
            rows.append(row)
        if suggestible:
            self._suggest_keys.append(key)
            self._suggest_rows.append(row)

    def _rows_for(self, key: str) -> list[int]:
        rows = self._index.get(key, [])
        return [rows] if isinstance(rows, int) else rows

    def _add_aliases(self, aliases: dict) -> None:
        """Hand-written districts, then alias names, then demonyms (see place_aliases.toml)."""
        for admin1_key, districts in aliases.get("districts", {}).items():
            admin1 = self.by_region_key(admin1_key)
            for district in districts:
                if admin1 is None or self.by_region_key(f"{admin1_key}|{district}"):
                    continue
                fields = ["admin2", district, admin1.country_code, admin1.name, district]
                self._rows.append("\t".join([*fields, "", "", "0", normalise(district)]))
                self._index_key(normalise(district), len(self._rows) - 1, True)
        for alias, targets in aliases.get("aliases", {}).items():
            for target in [targets] if isinstance(targets, str) else targets:
                row = self._row_of(target)
                if row is None:
                    log.warning("place alias %r: unknown region key %r", alias, target)
                else:
                    self._index_key(normalise(alias), row, True)
        for word, code in aliases.get("demonyms", {}).items():
            if code in self._country_rows:
                self._demonyms[normalise(word)] = self._country_rows[code]
            else:
                log.warning("demonym %r: unknown country code %r", word, code)

    def _place(self, row: int) -> Place:
        place = self._places.get(row)
        if place is None:
            kind, name, code, admin1, admin2, lat, lon, population, _ = self._rows[row].split("\t")
            country = self._rows[self._country_rows[code]].split("\t", 2)[1]
            place = Place(
                name, kind, code, country, admin1 or None, admin2 or None,
                float(lat) if lat else None, float(lon) if lon else None, int(population),
            )  # fmt: skip
            self._places[row] = place
        return place

    def _ranked(self, rows: list[int]) -> list[Place]:
        places = [self._place(row) for row in rows]
        return sorted(places, key=lambda p: (_KIND_RANK[p.kind], -p.population, p.region_key))

    def _row_of(self, region_key: str) -> int | None:
        if "|" not in region_key:
            return self._country_rows.get(region_key.upper())
        wanted = _key_parts(region_key)
        for row in self._rows_for(wanted[-1]):
            if _key_parts(self._place(row).region_key) == wanted:
                return row
        return None

    def lookup(self, name: str) -> list[Place]:
        """Every place called `name` (or aliased so), best prior first.

        The prior: country > admin1 > admin2 > place, then population. Demonyms are not
        names here; see `country` and `demonym_country`.
        """
        return self._ranked(self._rows_for(normalise(name)))

    def has_name(self, normalised_lower: str) -> bool:
        """Whether an already `normalise()`d string is a known name: for fast n-gram scans."""
        return normalised_lower in self._index

    def country(self, code_or_name_or_demonym: str) -> Place | None:
        """A country by ISO alpha-2 code, name, alias ("USA", "Burma") or demonym ("Afghan").

        Two letters are read as a code first: country("KP") is North Korea, while
        lookup("KP") gives Khyber Pakhtunkhwa.
        """
        text = code_or_name_or_demonym.strip()
        if len(text) == 2 and text.isalpha() and text.upper() in self._country_rows:
            return self._place(self._country_rows[text.upper()])
        countries = [p for p in self.lookup(text) if p.kind == "country"]
        return countries[0] if countries else self.demonym_country(text)

    def demonym_country(self, word: str) -> Place | None:
        """The country of a demonym or adjective: "Pakistani(s)" -> Pakistan."""
        key = normalise(word)
        row = self._demonyms.get(key)
        if row is None and key.endswith("s"):
            row = self._demonyms.get(key[:-1])
        return None if row is None else self._place(row)

    def by_region_key(self, key: str) -> Place | None:
        """The place whose `region_key` is `key` (compared normalised, so accents may differ)."""
        row = self._row_of(key)
        return None if row is None else self._place(row)

    def suggest(self, text: str, limit: int = 5) -> list[Place]:
        """Closest names to a misspelt `text`, among regions and places of 100k+ people."""
        from rapidfuzz import fuzz, process

        matches = process.extract(
            normalise(text), self._suggest_keys, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=60
        )
        scored: dict[Place, float] = {}
        for _, score, position in matches:
            place = self._place(self._suggest_rows[position])
            scored[place] = max(score, scored.get(place, 0))
        ranked = sorted(scored, key=lambda p: (-scored[p], _KIND_RANK[p.kind], -p.population))
        return ranked[:limit]

    def closest_in_country(self, text: str, country_code: str, *, cutoff: float = 85,
                           limit: int = 5) -> list[Place]:
        """Names within one country spelt almost like `text` ("Radaa" -> Rada'), best first.

        Unlike `suggest` this looks at every place of the country, so transliterations of
        small towns are found; the country's names are indexed on first use.
        """
        from rapidfuzz import fuzz, process

        keys, rows = self._country_names(country_code)
        matches = process.extract(normalise(text), keys, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
        return self._ranked(list(dict.fromkeys(rows[position] for _, _, position in matches)))

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one gazetteer per process, kept for its life
    def _country_names(self, country_code: str) -> tuple[list[str], list[int]]:
        keys: list[str] = []
        rows: list[int] = []
        for key, found in self._index.items():
            for row in [found] if isinstance(found, int) else found:
                if self._rows[row].split("\t", 3)[2] == country_code:
                    keys.append(key)
                    rows.append(row)
        return keys, rows

    def contains(self, outer: Place, inner: Place) -> bool:
        """Whether `inner` lies within (or is) `outer`: country ⊇ admin1 ⊇ admin2 ⊇ place."""
        outer_parts = _key_parts(outer.region_key)
        return _key_parts(inner.region_key)[: len(outer_parts)] == outer_parts


def _key_parts(region_key: str) -> list[str]:
    return [normalise(part) for part in region_key.split("|")]


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, read once per process (well under a second)."""
    seeds = files("seeds")
    text = gzip.decompress(seeds.joinpath(DATA_FILE).read_bytes()).decode("utf-8")
    lines = text.splitlines()
    del lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]
    aliases = tomllib.loads(seeds.joinpath(ALIASES_FILE).read_text(encoding="utf-8"))
    return Gazetteer(lines, aliases)
