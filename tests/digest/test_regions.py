"""Reading region names and turning region keys into incident filters."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from jobs.digest.regions import clean_text, region_label, regions_condition, resolve_region
from sitrep.errors import UserError
from sitrep.places import Gazetteer, load_gazetteer
from sitrep.storage.db import session_scope
from sitrep.storage.models import Incident
from tests.support.incidents import AMRITSAR_CLASH, BANNU_IED, LAHORE_PROTEST, add_incident

KP = "PK|Khyber Pakhtunkhwa"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize("text", ["KP", "kpk", "NWFP", "Khyber-Pakhtunkhwa", "khyber pakhtunkhwa", "  KHYBER   PAKHTUNKHWA "])
def test_aliases_and_any_case(gazetteer: Gazetteer, text: str) -> None:
    assert resolve_region(gazetteer, text).place.region_key == KP


@pytest.mark.parametrize(("text", "key"), [
    ("Pakistan", "PK"), ("peshawar", "PK|Khyber Pakhtunkhwa|Peshawar"),
    ("Punjab, Pakistan", "PK|Punjab"), ("Punjab (India)", "IN|Punjab"), ("Lahore", "PK|Punjab|Lahore"),
])
def test_countries_districts_and_qualified_names(gazetteer: Gazetteer, text: str, key: str) -> None:
    assert resolve_region(gazetteer, text).place.region_key == key


def test_same_name_in_two_countries_is_ambiguous(gazetteer: Gazetteer) -> None:
    resolution = resolve_region(gazetteer, "Punjab")
    assert resolution.ambiguous and resolution.place is None
    assert {p.region_key for p in resolution.candidates} == {"PK|Punjab", "IN|Punjab"}
    with pytest.raises(UserError, match="Punjab \\(Pakistan\\).*Punjab \\(India\\)"):
        resolution.require_place()


def test_unknown_names_get_the_closest_names(gazetteer: Gazetteer) -> None:
    resolution = resolve_region(gazetteer, "Pesahwar")
    assert resolution.place is None and not resolution.ambiguous
    assert resolution.suggestions[0].name == "Peshawar"
    with pytest.raises(UserError, match="Closest names: Peshawar"):
        resolution.require_place()


def test_input_hygiene() -> None:
    assert clean_text("Khy\x00ber\u200b Pakh\x1b\ttunkhwa\n") == "Khyber Pakh tunkhwa"
    with pytest.raises(UserError, match="too long \\(5000 characters; at most 100\\)"):
        clean_text("x" * 5000)
    with pytest.raises(UserError, match="Which region"):
        resolve_region(load_gazetteer(), "\x00\x01 ")


def test_region_label(gazetteer: Gazetteer) -> None:
    assert region_label(gazetteer, KP) == "Khyber Pakhtunkhwa (Pakistan)"
    assert region_label(gazetteer, "ZZ|Nowhere") == "Nowhere, ZZ"


def _matching(engine: Engine, keys: list[str]) -> set[str]:
    with session_scope(engine) as session:
        return set(session.exec(select(Incident.location_name).where(regions_condition(keys))).all())


def test_a_region_includes_everything_inside_it(engine: Engine) -> None:
    add_incident(engine, BANNU_IED, event_date=date(2025, 3, 10))
    add_incident(engine, LAHORE_PROTEST, event_date=date(2025, 3, 10))
    add_incident(engine, AMRITSAR_CLASH, event_date=date(2025, 3, 10))
    add_incident(engine, BANNU_IED, location_name="Bannu Township", admin2="Bannu")
    assert _matching(engine, ["PK"]) == {"Bannu", "Bannu Township", "Lahore"}
    assert _matching(engine, ["PK|Punjab"]) == {"Lahore"}
    assert _matching(engine, ["PK|Punjab", "IN|Punjab"]) == {"Lahore", "Amritsar"}
    assert _matching(engine, ["PK|Khyber Pakhtunkhwa|Bannu"]) == {"Bannu", "Bannu Township"}
    assert _matching(engine, ["PK|Khyber Pakhtunkhwa|Bannu|Bannu"]) == {"Bannu"}
    assert _matching(engine, ["PK|Sindh||Karachi"]) == set()
    assert _matching(engine, []) == set()
