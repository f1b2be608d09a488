"""The user's example article comes out exactly, and rules that real text needs hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jobs.extract.extractor import ArticleInput, Extractor

EXAMPLE = Path(__file__).with_name("devset.jsonl")


@pytest.fixture(scope="module")
def example_text() -> str:
    import json

    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] == "example":
            return item["text"]
    raise AssertionError("the example article is missing from the development set")


def _killed(incident: dict) -> tuple[int, int, int, int]:
    k = incident["killed"]
    return k["security_forces"], k["militants"], k["civilians"], k["unspecified"]


def test_example_article_exactly(extractor: Extractor, example_text: str) -> None:
    incidents = [i.to_dict() for i in extractor.extract(example_text, published=date(2026, 11, 27))]
    by_place = {i["location"]["name"]: i for i in incidents}
    assert set(by_place) == {"Peshawar", "Tank", "Khyber"}
    assert _killed(by_place["Peshawar"]) == (2, 6, 0, 0)
    assert _killed(by_place["Tank"]) == (0, 10, 0, 0)
    assert _killed(by_place["Khyber"]) == (5, 7, 0, 0)
    assert sum(sum(_killed(i)) for i in incidents) == 30
    for incident in incidents:
        loc = incident["location"]
        assert (loc["admin1"], loc["country"], loc["country_code"]) == ("Khyber Pakhtunkhwa", "Pakistan", "PK")
        assert (incident["event_type"], incident["sub_event_type"]) == ("Battles", "Armed clash")
        assert "Tehreek-e-Taliban Pakistan" in incident["actors"]
        assert incident["date"] == "2026-11-27"
        assert incident["evidence"] and incident["summary"].startswith("Armed clash in ")
    assert {name: i["location"]["admin2"] for name, i in by_place.items()} == {
        "Peshawar": "Peshawar", "Tank": "Tank", "Khyber": "Khyber"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Gunmen killed 12 people in Quetta on Monday. The death toll rose to 15 on Tuesday.", 15),
    ("A roadside bomb in Kandahar killed 15 people, including 8 soldiers, officials said.", 15),
    ("Militants stormed a checkpoint in Bannu district, but no one was killed.", 0),
    ("Insurgents kill 15 policemen during clashes with troops who kill 10 of the insurgents in Ghazni Province.", 25),
])
def test_figures(extractor: Extractor, text: str, expected: int) -> None:
    incidents = extractor.extract(text, published=date(2026, 11, 24))
    assert sum(sum(i.killed.values()) for i in incidents) == expected
    assert len(incidents) == 1


@pytest.mark.parametrize("text", [
    "A bus plunged into a ravine in Swat district on Monday, killing 24 passengers.",
    "Pakistan crushed India by seven wickets in Lahore, a bombshell result for the visitors.",
    "Parliament marked the anniversary of the Peshawar school attack that killed 141 in 2014.",
    "A court in Quetta sentenced three men to death over a 2023 bombing that killed 20 people.",
])
def test_non_incidents(extractor: Extractor, text: str) -> None:
    assert extractor.extract(text, published=date(2026, 11, 24)) == []


def test_ambiguous_place_resolved_by_context(extractor: Extractor) -> None:
    text = "Militants attacked a police post in Tank on Sunday, killing two policemen, Khyber Pakhtunkhwa police said."
    (incident,) = extractor.extract(text, published=date(2026, 11, 24))
    assert (incident.place.name, incident.place.admin1, incident.place.country_code) == (
        "Tank", "Khyber Pakhtunkhwa", "PK")
    assert incident.killed["security_forces"] == 2


def test_text_without_violence_skips_the_parser(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real_pipe = extractor.nlp.pipe

    class CountingPipeline:
        def pipe(self, texts, **kwargs):  # noqa: ANN001, ANN201 - mirrors Language.pipe
            texts = list(texts)
            parsed.extend(texts)
            return real_pipe(texts, **kwargs)

    monkeypatch.setattr(extractor, "nlp", CountingPipeline())
    items = [ArticleInput("The central bank kept interest rates unchanged on Thursday."),
             ArticleInput("Gunmen killed two policemen in Quetta on Monday.", published=date(2026, 11, 24))]
    results = list(extractor.extract_many(items))
    assert results[0] == [] and len(results[1]) == 1
    assert parsed == [items[1].text]


@pytest.mark.parametrize(("text", "admin1"), [
    ("A pair of car bombs kill 20 children and 11 Houthi militants in Radaa, central Yemen.", "Al Bayda"),
    ("Two soldiers were injured when militants lobbed a grenade at an Army post in Rajouri district, "
     "in Indian-administered Kashmir.", "Jammu and Kashmir"),
])
def test_places_spelt_differently_from_the_gazetteer(extractor: Extractor, text: str, admin1: str) -> None:
    (incident,) = extractor.extract(text, published=date(2026, 11, 24))
    assert incident.place.admin1 == admin1
