"""The offline gazetteer: names, aliases, region keys, containment and suggestions."""

from __future__ import annotations

import gzip
import time
import tomllib
from importlib.resources import files

import pytest

from sitrep.places import KINDS, Gazetteer, Place, load_gazetteer, normalise

KP = "PK|Khyber Pakhtunkhwa"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def _place(**overrides: object) -> Place:
    fields: dict = {
        "name": "Landi Kotal", "kind": "place", "country_code": "PK", "country": "Pakistan",
        "admin1": "Khyber Pakhtunkhwa", "admin2": "Khyber", "latitude": 34.1,
        "longitude": 71.14, "population": 2223,
    }  # fmt: skip
    return Place(**(fields | overrides))


def _keys(places: list[Place]) -> list[str]:
    return [p.region_key for p in places]


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Culiacán", "culiacan"),
        ("Sana'a", "sanaa"),
        ("Sana’a", "sanaa"),
        ("Khyber-Pakhtunkhwa", "khyber pakhtunkhwa"),
        ("  Mazār-e   Sharīf ", "mazar e sharif"),
        ("U.S.", "us"),
        ("Diyarbakır", "diyarbakir"),
        ("Karbalāʼ", "karbala"),
        ("Łódź", "lodz"),
    ],
)
def test_normalise_folds_case_accents_and_punctuation(raw: str, key: str) -> None:
    assert normalise(raw) == key


def test_region_key_and_label_per_kind() -> None:
    place = _place()
    district = _place(name="Khyber", kind="admin2")
    province = _place(name="Khyber Pakhtunkhwa", kind="admin1", admin2=None)
    country = _place(name="Pakistan", kind="country", admin1=None, admin2=None)
    assert place.region_key == "PK|Khyber Pakhtunkhwa|Khyber|Landi Kotal"
    assert district.region_key == "PK|Khyber Pakhtunkhwa|Khyber"
    assert province.region_key == "PK|Khyber Pakhtunkhwa"
    assert country.region_key == "PK"
    assert _place(name="Tank", admin2=None).region_key == "PK|Khyber Pakhtunkhwa||Tank"
    assert place.label == "Landi Kotal, Khyber, Khyber Pakhtunkhwa (Pakistan)"
    assert district.label == "Khyber, Khyber Pakhtunkhwa (Pakistan)"
    assert province.label == "Khyber Pakhtunkhwa (Pakistan)"
    assert country.label == "Pakistan"


def test_tank_is_a_town_in_khyber_pakhtunkhwa(gaz: Gazetteer) -> None:
    towns = [p for p in gaz.lookup("Tank") if p.kind == "place"]
    assert any(p.admin1 == "Khyber Pakhtunkhwa" and p.country == "Pakistan" for p in towns)


def test_peshawar_best_match_is_in_khyber_pakhtunkhwa(gaz: Gazetteer) -> None:
    best = gaz.lookup("Peshawar")[0]
    assert (best.country_code, best.admin1) == ("PK", "Khyber Pakhtunkhwa")


def test_khyber_includes_the_district(gaz: Gazetteer) -> None:
    assert f"{KP}|Khyber" in _keys(gaz.lookup("Khyber"))


@pytest.mark.parametrize(
    "name",
    [
        "Khyber Pakhtunkhwa", "KPK", "NWFP", "KP", "khyber-pakhtunkhwa", "N.W.F.P.",
        "FATA", "Federally Administered Tribal Areas",
    ],
)  # fmt: skip
def test_khyber_pakhtunkhwa_names(gaz: Gazetteer, name: str) -> None:
    best = gaz.lookup(name)[0]
    assert (best.kind, best.region_key) == ("admin1", KP)


@pytest.mark.parametrize(
    ("alias", "district"),
    [
        ("Khyber Agency", "Khyber"),
        ("Bajaur Agency", "Bajaur"),
        ("Mohmand Agency", "Mohmand"),
        ("Kurram Agency", "Kurram"),
        ("Orakzai Agency", "Orakzai"),
        ("North Waziristan Agency", "North Waziristan"),
        ("South Waziristan Agency", "South Waziristan"),
        ("FR Tank", "Tank"),
    ],
)
def test_former_fata_agencies_are_districts(gaz: Gazetteer, alias: str, district: str) -> None:
    expected = gaz.by_region_key(f"{KP}|{district}")
    assert expected is not None and expected.kind == "admin2"
    assert gaz.lookup(alias)[0] == expected


def test_punjab_is_in_pakistan_and_india(gaz: Gazetteer) -> None:
    assert {"PK|Punjab", "IN|Punjab"} <= set(_keys(gaz.lookup("Punjab")))


@pytest.mark.parametrize(
    ("name", "kind", "code", "admin1"),
    [
        ("Quetta", "place", "PK", "Balochistan"),
        ("Kandahar", "admin1", "AF", "Kandahar"),
        ("Helmand", "admin1", "AF", "Helmand"),
        ("Kunduz", "admin1", "AF", "Kunduz"),
        ("Faryab", "admin1", "AF", "Faryab"),
        ("Kabul", "place", "AF", "Kabul"),
        ("Borno", "admin1", "NG", "Borno State"),
        ("Maiduguri", "place", "NG", "Borno State"),
        ("Mogadishu", "place", "SO", "Banaadir"),
        ("Baghdad", "place", "IQ", "Baghdad"),
        ("Damascus", "place", "SY", "Dimashq"),
        ("Davao City", "place", "PH", "Davao Region"),
        ("Davao", "place", "PH", "Davao Region"),
        ("Chhattisgarh", "admin1", "IN", "Chhattisgarh"),
        ("North Waziristan", "admin2", "PK", "Khyber Pakhtunkhwa"),
        ("Bajaur", "admin2", "PK", "Khyber Pakhtunkhwa"),
        ("Mohmand", "admin2", "PK", "Khyber Pakhtunkhwa"),
        ("Swat", "admin2", "PK", "Khyber Pakhtunkhwa"),
        ("Mardan", "place", "PK", "Khyber Pakhtunkhwa"),
        ("Sanaa", "place", "YE", "Amanat Alasimah"),
        ("Sana'a", "place", "YE", "Amanat Alasimah"),
        ("Gao", "place", "ML", "Gao"),
        ("Mopti", "place", "ML", "Mopti"),
        ("Culiacán", "place", "MX", "Sinaloa"),
        ("Culiacan", "place", "MX", "Sinaloa"),
        ("Baluchistan", "admin1", "PK", "Balochistan"),
        ("Lashkar Gah", "place", "AF", "Helmand"),
        ("Lashkargah", "place", "AF", "Helmand"),
        ("Mazar-i-Sharif", "place", "AF", "Balkh"),
        ("Mazar-e-Sharif", "place", "AF", "Balkh"),
        ("West Bank", "admin1", "PS", "West Bank"),
        ("Gaza", "admin1", "PS", "Gaza Strip"),
        ("Gaza Strip", "admin1", "PS", "Gaza Strip"),
    ],
)
def test_conflict_area_names(gaz: Gazetteer, name: str, kind: str, code: str, admin1: str) -> None:
    found = gaz.lookup(name)
    assert found[0].country_code == code
    assert any((p.kind, p.country_code, p.admin1) == (kind, code, admin1) for p in found)


def test_lookup_ranks_by_kind_then_population(gaz: Gazetteer) -> None:
    found = gaz.lookup("Georgia")
    assert found[0].region_key == "GE"
    ranks = [KINDS.index(p.kind) for p in gaz.lookup("Kandahar")]
    assert ranks == sorted(ranks)
    assert gaz.lookup("Punjab")[0].region_key == "PK|Punjab"  # the more populous


def test_accents_fold_in_lookup(gaz: Gazetteer) -> None:
    assert gaz.lookup("Culiacan") == gaz.lookup("Culiacán") != []
    assert gaz.lookup("BAJAUR") == gaz.lookup("Bājaur") != []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("PK", "PK"), ("pk", "PK"), ("Pakistan", "PK"), ("Pakistani", "PK"),
        ("Afghan", "AF"), ("Afghans", "AF"), ("Burma", "MM"), ("Burmese", "MM"),
        ("Myanmar", "MM"), ("US", "US"), ("U.S.", "US"), ("USA", "US"), ("UK", "GB"),
        ("DR Congo", "CD"), ("DRC", "CD"), ("Ivory Coast", "CI"), ("Côte d'Ivoire", "CI"),
        ("Syria", "SY"), ("Iran", "IR"), ("Russia", "RU"), ("South Korea", "KR"),
        ("Palestine", "PS"), ("Palestinian", "PS"), ("Filipino", "PH"),
        ("Philippine", "PH"), ("Burkinabe", "BF"), ("Nigerien", "NE"), ("Nigerian", "NG"),
        ("Congolese", "CD"), ("Swiss", "CH"), ("Georgia", "GE"),
    ],
)  # fmt: skip
def test_country_by_code_name_alias_or_demonym(gaz: Gazetteer, text: str, code: str) -> None:
    country = gaz.country(text)
    assert country is not None
    assert (country.kind, country.country_code) == ("country", code)


def test_demonyms_are_not_place_names(gaz: Gazetteer) -> None:
    pakistan = gaz.country("PK")
    assert gaz.demonym_country("Pakistani") == pakistan
    assert gaz.demonym_country("Pakistan") is None
    assert pakistan not in gaz.lookup("Pakistani")
    assert gaz.country("Atlantis") is None


def test_every_iso_country_is_there(gaz: Gazetteer) -> None:
    pycountry = pytest.importorskip("pycountry")
    missing = [c.alpha_2 for c in pycountry.countries if gaz.country(c.alpha_2) is None]
    assert missing == []


def test_has_name_takes_normalised_text(gaz: Gazetteer) -> None:
    assert gaz.has_name("khyber pakhtunkhwa")
    assert gaz.has_name(normalise("Culiacán"))
    assert gaz.has_name("kpk")
    assert not gaz.has_name("KPK")
    assert not gaz.has_name("xq zzyzzy")
    assert gaz.max_tokens >= len("federally administered tribal areas".split())


def test_by_region_key_round_trips(gaz: Gazetteer) -> None:
    for name in ("Pakistan", "Khyber Pakhtunkhwa", "Khyber", "Landi Kotal", "Tank", "Singapore"):
        for place in gaz.lookup(name):
            assert gaz.by_region_key(place.region_key) == place
    assert gaz.by_region_key("pk|khyber pakhtunkhwa|bajaur").name == "Bājaur"
    assert gaz.by_region_key("PK|Atlantis") is None
    assert gaz.by_region_key("ZZ") is None


def test_contains_follows_the_hierarchy(gaz: Gazetteer) -> None:
    pakistan, province = gaz.country("PK"), gaz.by_region_key(KP)
    district = gaz.by_region_key(f"{KP}|Khyber")
    town = next(p for p in gaz.lookup("Landi Kotal") if p.country_code == "PK")
    tank = next(p for p in gaz.lookup("Tank") if p.kind == "place" and p.country_code == "PK")
    lahore = gaz.lookup("Lahore")[0]
    assert gaz.contains(pakistan, province) and gaz.contains(province, district)
    assert gaz.contains(district, town) and gaz.contains(pakistan, town)
    assert gaz.contains(province, tank) and gaz.contains(town, town)
    assert not gaz.contains(town, district)
    assert not gaz.contains(province, lahore)
    assert not gaz.contains(gaz.country("IN"), province)


def test_suggest_finds_misspellings_fast(gaz: Gazetteer) -> None:
    gaz.suggest("warm up")
    start = time.perf_counter()
    suggestions = gaz.suggest("Peshawer")
    assert time.perf_counter() - start < 0.2
    assert "Peshawar" in [p.name for p in suggestions]
    assert len(suggestions) <= 5
    assert gaz.suggest("Baluchistn", limit=1)[0].region_key == "PK|Balochistan"
    assert gaz.suggest("Pakstan")[0].region_key == "PK"


def test_every_hand_written_alias_resolves(gaz: Gazetteer) -> None:
    aliases = tomllib.loads(files("seeds").joinpath("place_aliases.toml").read_text("utf-8"))
    for admin1, districts in aliases["districts"].items():
        for district in districts:
            assert gaz.by_region_key(f"{admin1}|{district}") is not None, district
    for alias, targets in aliases["aliases"].items():
        for target in [targets] if isinstance(targets, str) else targets:
            place = gaz.by_region_key(target)
            assert place is not None, (alias, target)
            assert place in gaz.lookup(alias), alias
    for word, code in aliases["demonyms"].items():
        country = gaz.country(code)
        assert country is not None and gaz.demonym_country(word) == country, word


def test_data_file_is_small_and_keyed_by_normalise() -> None:
    """Guards the build: size limit, and keys written with the current normalise()."""
    data = files("seeds").joinpath("gazetteer.tsv.gz").read_bytes()
    assert len(data) < 4_000_000
    rows = [line.split("\t") for line in gzip.decompress(data).decode().splitlines()]
    assert rows[0][0].startswith("# ") and "GeoNames" in rows[0][0]
    for fields in rows:
        if not fields[0].startswith("#"):
            first_key = fields[8].split("|")[0] or fields[1].lower()
            assert first_key == normalise(fields[1]), fields[1]


def test_closest_in_country_finds_small_towns_by_spelling() -> None:
    gazetteer = load_gazetteer()
    assert [p.admin1 for p in gazetteer.closest_in_country("Radaa", "YE", cutoff=88)][:1] == ["Al Bayda"]
    assert gazetteer.closest_in_country("Radaa", "PK", cutoff=88) == []


def test_a_town_is_not_named_twice_in_its_label() -> None:
    gazetteer = load_gazetteer()
    town = next(p for p in gazetteer.lookup("Peshawar") if p.kind == "place")
    assert town.label == "Peshawar, Khyber Pakhtunkhwa (Pakistan)"
