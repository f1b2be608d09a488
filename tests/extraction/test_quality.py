"""The development set, extracted by the real pipeline, held to the agreed thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from jobs.extract.extractor import ArticleInput, Extractor
from tests.extraction.score import THRESHOLDS, evaluate, format_report, load_devset


@pytest.fixture(scope="module")
def report(extractor: Extractor) -> dict:
    items = load_devset()
    inputs = [ArticleInput(i["text"], i.get("title"), date.fromisoformat(i["published"])) for i in items]
    predicted = {
        item["id"]: [incident.to_dict() for incident in incidents]
        for item, incidents in zip(items, extractor.extract_many(inputs), strict=True)
    }
    return evaluate(items, predicted)


def test_devset_is_large_and_varied_enough() -> None:
    items = load_devset()
    shorts = [i for i in items if i["kind"] == "short"]
    articles = [i for i in items if i["kind"] == "article"]
    empty = [i for i in items if not i["incidents"]]
    countries = {inc["location"]["country_code"] for i in items for inc in i["incidents"]}
    assert len(shorts) >= 80 and len(articles) >= 15 and len(empty) >= 25
    assert len(countries) >= 11


@pytest.mark.parametrize("metric", sorted(THRESHOLDS))
def test_metric_meets_threshold(report: dict, metric: str) -> None:
    value = report["metrics"][metric]
    assert value >= THRESHOLDS[metric], (
        f"{metric} = {value:.3f} < {THRESHOLDS[metric]}\n" + format_report(report, worst=10))
