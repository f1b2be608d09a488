"""Tests of the extraction scorer itself, on small hand-made gold/prediction pairs."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from tests.extraction.score import (
    CATEGORIES,
    THRESHOLDS,
    evaluate,
    load_devset,
    main,
    match_incidents,
    normalise_place,
    parse_predictions,
    score,
)

ACLED = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    },
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other",
    },
}


def counts(sf=0, mil=0, civ=0, unsp=0) -> dict[str, int]:
    return dict(zip(CATEGORIES, (sf, mil, civ, unsp), strict=True))


def incident(sub="Armed clash", event="Battles", name="Tank", admin2="Tank",
             admin1="Khyber Pakhtunkhwa", cc="PK", killed=None, injured=None,
             day="2026-11-27") -> dict:
    return {
        "event_type": event,
        "sub_event_type": sub,
        "date": day,
        "location": {"name": name, "admin2": admin2, "admin1": admin1,
                     "country": "Pakistan", "country_code": cc},
        "actors": [],
        "killed": killed or counts(),
        "injured": injured or counts(),
    }


def item(item_id: str, *incidents: dict) -> dict:
    return {"id": item_id, "kind": "short", "title": item_id, "published": "2026-11-27",
            "text": "...", "incidents": list(incidents)}


@pytest.fixture
def gold() -> list[dict]:
    return [
        item("a", incident(killed=counts(mil=10))),
        item("b",
             incident(name="Peshawar", admin2="Peshawar", killed=counts(sf=2, mil=6)),
             incident(name="Khyber", admin2="Khyber", killed=counts(sf=5, mil=7),
                      injured=counts(unsp=3))),
        item("c", incident(sub="Suicide bomb", event="Explosions/Remote violence", name="Quetta",
                           admin2="Quetta", admin1="Balochistan", killed=counts(sf=5, mil=1, civ=1),
                           injured=counts(unsp=19))),
        item("d"),
        item("e"),
    ]


def perfect(gold: list[dict]) -> dict[str, list[dict]]:
    return {g["id"]: copy.deepcopy(g["incidents"]) for g in gold}


def test_thresholds_are_the_agreed_ones():
    assert THRESHOLDS == {"casualty_totals": 0.95, "categories": 0.85, "admin1": 0.90,
                          "sub_event_type": 0.80, "non_incidents_clean": 0.95}


def test_perfect_prediction_scores_one_everywhere(gold):
    metrics = score(gold, perfect(gold))
    assert set(THRESHOLDS) <= set(metrics)
    assert {"incident_count_exact", "precision", "recall"} <= set(metrics)
    assert all(value == 1.0 for value in metrics.values()), metrics


def test_one_wrong_figure_costs_one_item(gold):
    pred = perfect(gold)
    pred["b"][1]["killed"]["militants"] = 6  # 12 + 6 = 18 instead of 19
    metrics = score(gold, pred)
    assert metrics["casualty_totals"] == pytest.approx(2 / 3)
    assert metrics["categories"] == pytest.approx(2 / 3)
    assert metrics["admin1"] == 1.0
    assert metrics["sub_event_type"] == 1.0


def test_wrong_category_with_right_total(gold):
    pred = perfect(gold)
    pred["c"][0]["killed"] = counts(sf=5, unsp=2)  # 7 killed, but the mix is wrong
    metrics = score(gold, pred)
    assert metrics["casualty_totals"] == 1.0
    assert metrics["categories"] == pytest.approx(2 / 3)


def test_injured_counts_too(gold):
    pred = perfect(gold)
    pred["c"][0]["injured"] = counts(unsp=18)
    assert score(gold, pred)["casualty_totals"] == pytest.approx(2 / 3)


def test_figures_are_summed_over_the_item_not_per_incident(gold):
    pred = perfect(gold)
    # the two Peshawar/Khyber figures swapped between incidents: item sums still equal
    pred["b"][0]["killed"], pred["b"][1]["killed"] = pred["b"][1]["killed"], pred["b"][0]["killed"]
    metrics = score(gold, pred)
    assert metrics["casualty_totals"] == 1.0
    assert metrics["categories"] == 1.0


def test_extra_incident_on_a_non_incident(gold):
    pred = perfect(gold)
    pred["d"] = [incident(killed=counts(unsp=14))]
    metrics = score(gold, pred)
    assert metrics["non_incidents_clean"] == 0.5
    assert metrics["casualty_totals"] == 1.0  # only items with gold incidents count there
    assert metrics["incident_count_exact"] == pytest.approx(4 / 5)
    assert metrics["precision"] == pytest.approx(4 / 5)
    assert metrics["recall"] == 1.0


def test_summing_sentence_turned_into_an_extra_incident(gold):
    pred = perfect(gold)
    pred["b"].append(incident(name="Khyber Pakhtunkhwa", admin2=None, killed=counts(sf=7, mil=13)))
    metrics = score(gold, pred)
    assert metrics["casualty_totals"] == pytest.approx(2 / 3)
    assert metrics["admin1"] == 1.0
    assert metrics["precision"] == pytest.approx(4 / 5)
    assert metrics["incident_count_exact"] == pytest.approx(4 / 5)


def test_missing_item_counts_as_no_incidents(gold):
    pred = perfect(gold)
    del pred["a"]
    del pred["e"]
    report = evaluate(gold, pred)
    metrics = report["metrics"]
    assert metrics["casualty_totals"] == pytest.approx(2 / 3)
    assert metrics["admin1"] == pytest.approx(3 / 4)
    assert metrics["non_incidents_clean"] == 1.0
    assert report["counts"]["items_without_output"] == 2


def test_wrong_admin1_falls_back_to_country_for_sub_event_type(gold):
    pred = perfect(gold)
    pred["c"][0]["location"]["admin1"] = "Sindh"
    pred["c"][0]["sub_event_type"] = "Remote explosive/landmine/IED"
    metrics = score(gold, pred)
    assert metrics["admin1"] == pytest.approx(3 / 4)
    assert metrics["sub_event_type"] == pytest.approx(3 / 4)  # matched by country, wrong type
    assert metrics["event_type"] == 1.0


def test_other_country_is_not_matched_at_all(gold):
    pred = perfect(gold)
    pred["c"][0]["location"]["country_code"] = "AF"
    pred["c"][0]["sub_event_type"] = "Grenade"
    metrics = score(gold, pred)
    assert metrics["admin1"] == pytest.approx(3 / 4)
    assert metrics["sub_event_type"] == 1.0  # 3 of 3 matched pairs agree


def test_each_prediction_is_used_once(gold):
    pred = perfect(gold)
    pred["b"] = [pred["b"][0]]
    metrics = score(gold, pred)
    assert metrics["admin1"] == pytest.approx(3 / 4)
    assert metrics["precision"] == 1.0


def test_matching_prefers_same_district():
    gold_incs = [incident(name="Peshawar", admin2="Peshawar", sub="Armed clash"),
                 incident(name="Khyber", admin2="Khyber", sub="Suicide bomb",
                          event="Explosions/Remote violence")]
    pred_incs = [copy.deepcopy(gold_incs[1]), copy.deepcopy(gold_incs[0])]
    assert match_incidents(gold_incs, pred_incs) == [(0, 1), (1, 0)]
    metrics = score([item("x", *gold_incs)], {"x": pred_incs})
    assert metrics["sub_event_type"] == 1.0


def test_admin1_names_are_normalised():
    gold = [item("n", incident(name="Gwoza", admin2="Gwoza", admin1="Borno", cc="NG")),
            item("y", incident(name="Taiz", admin2=None, admin1="Ta‘izz", cc="YE"))]
    pred = {"n": [incident(name="Gwoza", admin2="Gwoza LGA", admin1="Borno State", cc="ng")],
            "y": [incident(name="Taizz", admin2=None, admin1="Ta'izz", cc="YE")]}
    assert score(gold, pred)["admin1"] == 1.0
    assert normalise_place("Khyber Agency") == normalise_place("Khyber")
    assert normalise_place("Diyālá") == "diyala"
    assert normalise_place("Kyiv City") != normalise_place("Kyiv Oblast")
    assert normalise_place("Sindh") != normalise_place("Punjab")
    assert normalise_place(None) == ""


def test_missing_admin1_never_matches():
    gold = [item("m", incident(admin1=None))]
    pred = {"m": [incident(admin1=None)]}
    metrics = score(gold, pred)
    assert metrics["admin1"] == 0.0
    assert metrics["sub_event_type"] == 1.0  # still paired by country


def test_nothing_predicted_at_all(gold):
    metrics = score(gold, {})
    assert metrics["admin1"] == 0.0
    assert metrics["sub_event_type"] == 0.0
    assert metrics["precision"] == 0.0
    assert metrics["non_incidents_clean"] == 1.0
    assert metrics["casualty_totals"] == 0.0


def test_robust_to_missing_or_odd_casualty_fields(gold):
    pred = perfect(gold)
    pred["a"][0]["killed"] = {"militants": "10", "civilians": None}
    pred["c"][0]["injured"] = 19  # a bare number is read as unspecified
    metrics = score(gold, pred)
    assert metrics["casualty_totals"] == 1.0
    assert metrics["categories"] == 1.0


def test_parse_predictions_accepts_both_shapes():
    lines = [
        json.dumps({"id": "a", "incidents": [incident()]}),
        "",
        json.dumps({"id": "b", "incidents": []}),
        json.dumps({"item_id": "c", **incident(name="Quetta")}),
        json.dumps({"id": "c", **incident(name="Turbat")}),
    ]
    pred = parse_predictions(lines)
    assert len(pred["a"]) == 1
    assert pred["b"] == []
    assert [p["location"]["name"] for p in pred["c"]] == ["Quetta", "Turbat"]
    with pytest.raises(ValueError):
        parse_predictions(["{not json"])


def test_main_scores_a_predictions_file(tmp_path, capsys, gold):
    devset = tmp_path / "gold.jsonl"
    devset.write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    preds = tmp_path / "pred.jsonl"
    rows = [{"id": k, "incidents": v} for k, v in perfect(gold).items()]
    rows[0]["incidents"][0]["killed"]["militants"] = 9
    preds.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    assert main(["--devset", str(devset), "--predictions", str(preds)]) == 0
    out = capsys.readouterr().out
    assert "casualty_totals" in out and "0.667" in out
    assert "worst misses" in out and "a " in out
    assert "below threshold: casualty_totals, categories" in out
    assert main(["--devset", str(devset), "--predictions", str(preds), "--strict"]) == 1
    capsys.readouterr()
    assert main(["--devset", str(devset), "--predictions", str(preds), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"]["casualty_totals"] == pytest.approx(2 / 3)


# --------------------------------------------------------------------------- the dev set


def test_devset_is_well_formed():
    items = load_devset()
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids))
    shorts = [it for it in items if it["kind"] == "short"]
    articles = [it for it in items if it["kind"] == "article"]
    assert len(shorts) >= 90 and len(articles) >= 16
    assert sum(1 for it in items if not it["incidents"]) >= 30
    assert any(it["id"] == "example" for it in items)
    for it in items:
        assert it["kind"] in {"short", "article"}
        assert it["title"] and it["text"]
        published = date.fromisoformat(it["published"])
        for inc in it["incidents"]:
            assert inc["sub_event_type"] in ACLED[inc["event_type"]], (it["id"], inc)
            if inc["date"] is not None:
                assert date.fromisoformat(inc["date"]) <= published, it["id"]
            loc = inc["location"]
            assert set(loc) == {"name", "admin2", "admin1", "country", "country_code"}
            assert loc["name"] and loc["admin1"] and loc["country"]
            assert len(loc["country_code"]) == 2 and loc["country_code"].isupper()
            assert isinstance(inc["actors"], list)
            for key in ("killed", "injured"):
                assert set(inc[key]) == set(CATEGORIES), (it["id"], key)
                assert all(isinstance(n, int) and n >= 0 for n in inc[key].values())


def test_devset_example_item_is_labelled_as_agreed():
    example = next(it for it in load_devset() if it["id"] == "example")
    assert example["published"] == "2026-11-27"
    by_place = {inc["location"]["admin2"]: inc for inc in example["incidents"]}
    assert set(by_place) == {"Peshawar", "Tank", "Khyber"}
    assert by_place["Peshawar"]["killed"] == counts(sf=2, mil=6)
    assert by_place["Tank"]["killed"] == counts(mil=10)
    assert by_place["Khyber"]["killed"] == counts(sf=5, mil=7)
    for inc in example["incidents"]:
        assert inc["sub_event_type"] == "Armed clash"
        assert inc["location"]["admin1"] == "Khyber Pakhtunkhwa"
        assert inc["actors"] == ["Tehreek-e-Taliban Pakistan"]
        assert inc["date"] == "2026-11-27"
