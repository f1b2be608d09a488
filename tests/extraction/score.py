"""Score incident extraction against the labelled development set.

The development set (`devset.jsonl`, next to this module) holds one news item per line:
``{"id", "kind", "title", "published", "text", "incidents": [...], "note"?}``. A gold incident
has ``event_type``, ``sub_event_type`` (ACLED names), ``date``, ``location`` (``name``,
``admin2``, ``admin1``, ``country``, ``country_code``), ``actors`` and ``killed`` / ``injured``
(each ``{"security_forces", "militants", "civilians", "unspecified"}``). Predictions use the
same incident shape (the extractor's output contract also has ``summary`` and ``evidence``,
which are not scored).

Metrics (each a fraction from 0 to 1):

``casualty_totals``
    Over items with gold incidents: the share where the item's total killed (summed over
    incidents and categories) and total injured both equal the prediction's.
``categories``
    Over items with gold incidents: the share where the eight per-category sums (killed and
    injured for each of the four categories, summed over the item's incidents) all equal.
``admin1``
    Over gold incidents: the share matched by a predicted incident of the same item with the
    same ``country_code`` and ``admin1``. Each predicted incident is used at most once;
    matching is greedy, first pairing incidents that also agree on ``admin2`` or place
    ``name``, then any with the same country and admin1.
``sub_event_type``
    Over matched gold incidents (matched as for ``admin1``, then remaining ones paired with an
    unused prediction in the same country): the share with the same ``sub_event_type``.
    0.0 when there are gold incidents but none could be matched.
``non_incidents_clean``
    Over items with no gold incidents: the share with zero predicted incidents.

For information only (no threshold):

``incident_count_exact``
    Over all items: the share where the number of predicted incidents equals the gold number.
``precision`` / ``recall``
    Incident level, with the ``admin1`` matching: matched / predicted and matched / gold
    (``recall`` equals ``admin1``). Precision is 1.0 when nothing is predicted and the gold
    holds no incidents, 0.0 when nothing is predicted but the gold does.
``event_type``
    Over the same matched pairs as ``sub_event_type``: the share with the same event type.
``date``
    Over admin1-matched pairs: the share with the same date.
``admin2``
    Over admin1-matched pairs whose gold ``admin2`` is set: the share with the same admin2.

A denominator of zero gives 1.0 (nothing to get wrong), except that ``sub_event_type``,
``event_type``, ``date`` and ``admin2`` give 0.0 when the gold holds incidents and none of
them was matched.

Place names are compared after normalisation: case, accents and apostrophes are ignored,
hyphens count as spaces, and one trailing generic word ("State", "Province", "Region",
"Governorate", "Department", "County", "District", "Division", "Oblast", "Agency", "Territory",
"Raion", "Cercle") is dropped, so "Borno" matches "Borno State", "Ta'izz" matches "Ta‘izz"
and "Khyber Agency" matches "Khyber". Country codes are compared case-insensitively.

Run ``python -m tests.extraction.score`` from the repository root to extract the dev set
with ``sitrep extract --jsonl`` (in a subprocess, with this interpreter) and print the
figures; ``--predictions FILE.jsonl`` scores saved output instead. Either way the output is
read as JSON lines, normally one ``{"id": ..., "incidents": [...]}`` per item; a line that is
itself an incident (it has ``sub_event_type`` or ``event_type``) is added to the item named by
its ``item_id``, ``article_id`` or ``id``. Items with no output line count as predicting no
incidents.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DEVSET_PATH = Path(__file__).with_name("devset.jsonl")
REPO_ROOT = Path(__file__).resolve().parents[2]

CATEGORIES = ("security_forces", "militants", "civilians", "unspecified")

THRESHOLDS: dict[str, float] = {
    "casualty_totals": 0.95,
    "categories": 0.85,
    "admin1": 0.90,
    "sub_event_type": 0.80,
    "non_incidents_clean": 0.95,
}

METRIC_ORDER = (
    "casualty_totals",
    "categories",
    "admin1",
    "sub_event_type",
    "non_incidents_clean",
    "incident_count_exact",
    "precision",
    "recall",
    "event_type",
    "date",
    "admin2",
)

_GENERIC_SUFFIXES = frozenset({
    "state", "province", "region", "governorate", "department", "county", "district",
    "division", "oblast", "agency", "territory", "raion", "cercle",
})
_APOSTROPHES = dict.fromkeys(map(ord, "'`\u2018\u2019\u02bc\u02bb\u00b4\u02b9\u02bf\u02be"), None)


# --------------------------------------------------------------------------- loading


def load_devset(path: str | Path | None = None) -> list[dict]:
    """The labelled items, in file order (blank lines are skipped)."""
    path = Path(path) if path is not None else DEVSET_PATH
    items: list[dict] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not valid JSON: {exc}") from exc
            if not isinstance(item, dict) or "id" not in item:
                raise ValueError(f"{path}:{lineno}: expected an object with an 'id'")
            item.setdefault("incidents", [])
            items.append(item)
    return items


def parse_predictions(lines: Iterable[str]) -> dict[str, list[dict]]:
    """Read extractor output (JSON lines) into ``{item id: [incident, ...]}``."""
    predicted: dict[str, list[dict]] = {}
    for lineno, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"prediction line {lineno}: not valid JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise ValueError(f"prediction line {lineno}: expected a JSON object")
        if "incidents" in obj:
            item_id = obj.get("id", obj.get("item_id"))
            incidents = obj.get("incidents") or []
            predicted.setdefault(str(item_id), []).extend(i for i in incidents if isinstance(i, dict))
        elif "sub_event_type" in obj or "event_type" in obj:
            item_id = obj.get("item_id", obj.get("article_id", obj.get("id")))
            predicted.setdefault(str(item_id), []).append(obj)
        else:
            predicted.setdefault(str(obj.get("id", obj.get("item_id"))), [])
    return predicted


def load_predictions(path: str | Path) -> dict[str, list[dict]]:
    with Path(path).open(encoding="utf-8") as fh:
        return parse_predictions(fh)


# --------------------------------------------------------------------------- helpers


def normalise_place(name: Any) -> str:
    """A comparison key for a place or division name ('' for missing)."""
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_APOSTROPHES).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    words = text.split()
    if len(words) > 1 and words[-1] in _GENERIC_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def _number(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, (int, float)):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def _counts(incident: dict, key: str) -> tuple[int, int, int, int]:
    value = incident.get(key)
    if isinstance(value, dict):
        return tuple(_number(value.get(cat)) for cat in CATEGORIES)  # type: ignore[return-value]
    # a bare number is read as "unspecified"
    return (0, 0, 0, _number(value))


def _sum_counts(incidents: Sequence[dict], key: str) -> tuple[int, ...]:
    totals = [0, 0, 0, 0]
    for inc in incidents:
        for i, n in enumerate(_counts(inc, key)):
            totals[i] += n
    return tuple(totals)


def _location(incident: dict) -> dict:
    loc = incident.get("location")
    return loc if isinstance(loc, dict) else {}


def _cc(incident: dict) -> str:
    code = _location(incident).get("country_code")
    return code.strip().upper() if isinstance(code, str) else ""


def _admin1_key(incident: dict) -> tuple[str, str] | None:
    cc, admin1 = _cc(incident), normalise_place(_location(incident).get("admin1"))
    return (cc, admin1) if cc and admin1 else None


def _same_place(gold: dict, pred: dict) -> bool:
    g, p = _location(gold), _location(pred)
    for key in ("admin2", "name"):
        a, b = normalise_place(g.get(key)), normalise_place(p.get(key))
        if a and a == b:
            return True
    return False


def match_incidents(
    gold: Sequence[dict], predicted: Sequence[dict], *, country_fallback: bool = False
) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs ``(gold index, predicted index)``.

    First pass: same country code and admin1, and same admin2 or place name. Second pass:
    same country code and admin1. With ``country_fallback``, a third pass pairs the
    remaining gold incidents with unused predictions in the same country.
    """
    pairs: list[tuple[int, int]] = []
    used_gold: set[int] = set()
    used_pred: set[int] = set()

    def run(accept) -> None:
        for gi, g in enumerate(gold):
            if gi in used_gold:
                continue
            for pi, p in enumerate(predicted):
                if pi not in used_pred and accept(g, p):
                    pairs.append((gi, pi))
                    used_gold.add(gi)
                    used_pred.add(pi)
                    break

    def same_admin1(g: dict, p: dict) -> bool:
        key = _admin1_key(g)
        return key is not None and key == _admin1_key(p)

    run(lambda g, p: same_admin1(g, p) and _same_place(g, p))
    run(same_admin1)
    if country_fallback:
        run(lambda g, p: bool(_cc(g)) and _cc(g) == _cc(p))
    return sorted(pairs)


def _ratio(num: int, den: int, empty: float = 1.0) -> float:
    return num / den if den else empty


# --------------------------------------------------------------------------- scoring


def evaluate(gold: list[dict], predicted: dict[str, list[dict]]) -> dict[str, Any]:
    """Metrics plus one record per item (used for the list of worst misses)."""
    n_inc_items = totals_ok = cats_ok = 0
    n_empty_items = empty_ok = 0
    count_exact = 0
    n_gold_inc = n_pred_inc = n_matched = 0
    n_typed = sub_ok = event_ok = 0
    date_ok = 0
    n_admin2 = admin2_ok = 0
    records: list[dict[str, Any]] = []

    for item in gold:
        item_id = str(item["id"])
        g_incs = list(item.get("incidents") or [])
        p_incs = [p for p in (predicted.get(item_id) or []) if isinstance(p, dict)]
        n_gold_inc += len(g_incs)
        n_pred_inc += len(p_incs)
        count_exact += len(g_incs) == len(p_incs)

        gk, pk = _sum_counts(g_incs, "killed"), _sum_counts(p_incs, "killed")
        gi, pi = _sum_counts(g_incs, "injured"), _sum_counts(p_incs, "injured")
        record: dict[str, Any] = {
            "id": item_id,
            "title": item.get("title", ""),
            "gold_incidents": len(g_incs),
            "predicted_incidents": len(p_incs),
            "gold_killed": gk, "pred_killed": pk, "gold_injured": gi, "pred_injured": pi,
            "problems": [],
        }

        if g_incs:
            n_inc_items += 1
            t_ok = sum(gk) == sum(pk) and sum(gi) == sum(pi)
            totals_ok += t_ok
            cats_ok += gk == pk and gi == pi
            if not t_ok:
                record["problems"].append(
                    f"totals killed {sum(gk)} vs {sum(pk)}, injured {sum(gi)} vs {sum(pi)}")
            elif not (gk == pk and gi == pi):
                record["problems"].append(f"categories killed {gk} vs {pk}, injured {gi} vs {pi}")
        else:
            n_empty_items += 1
            empty_ok += not p_incs
            if p_incs:
                record["problems"].append(f"{len(p_incs)} incident(s) predicted on a non-incident")

        admin_pairs = match_incidents(g_incs, p_incs)
        n_matched += len(admin_pairs)
        unmatched = len(g_incs) - len(admin_pairs)
        if unmatched:
            record["problems"].append(f"{unmatched} gold incident(s) without an admin1 match")
        for g_idx, p_idx in admin_pairs:
            g, p = g_incs[g_idx], p_incs[p_idx]
            date_ok += g.get("date") == p.get("date")
            g_admin2 = normalise_place(_location(g).get("admin2"))
            if g_admin2:
                n_admin2 += 1
                admin2_ok += g_admin2 == normalise_place(_location(p).get("admin2"))

        for g_idx, p_idx in match_incidents(g_incs, p_incs, country_fallback=True):
            g, p = g_incs[g_idx], p_incs[p_idx]
            n_typed += 1
            sub_ok += g.get("sub_event_type") == p.get("sub_event_type")
            event_ok += g.get("event_type") == p.get("event_type")
            if g.get("sub_event_type") != p.get("sub_event_type"):
                record["problems"].append(
                    f"sub_event_type {g.get('sub_event_type')!r} vs {p.get('sub_event_type')!r}")

        record["severity"] = (
            abs(sum(gk) - sum(pk)) + abs(sum(gi) - sum(pi))
            + 5 * unmatched
            + 5 * (len(p_incs) if not g_incs else 0)
            + sum(abs(a - b) for a, b in zip(gk + gi, pk + pi, strict=True)) / 2
            + 0.5 * abs(len(g_incs) - len(p_incs))
        )
        records.append(record)

    typed_empty = 0.0 if n_gold_inc else 1.0
    if n_pred_inc:
        precision = n_matched / n_pred_inc
    else:
        precision = 0.0 if n_gold_inc else 1.0
    metrics = {
        "casualty_totals": _ratio(totals_ok, n_inc_items),
        "categories": _ratio(cats_ok, n_inc_items),
        "admin1": _ratio(n_matched, n_gold_inc),
        "sub_event_type": _ratio(sub_ok, n_typed, typed_empty),
        "non_incidents_clean": _ratio(empty_ok, n_empty_items),
        "incident_count_exact": _ratio(count_exact, len(gold)),
        "precision": precision,
        "recall": _ratio(n_matched, n_gold_inc),
        "event_type": _ratio(event_ok, n_typed, typed_empty),
        "date": _ratio(date_ok, n_matched, typed_empty),
        "admin2": _ratio(admin2_ok, n_admin2, 1.0 if (n_matched or not n_gold_inc) else 0.0),
    }
    counts = {
        "items": len(gold),
        "items_with_incidents": n_inc_items,
        "non_incident_items": n_empty_items,
        "gold_incidents": n_gold_inc,
        "predicted_incidents": n_pred_inc,
        "matched_admin1": n_matched,
        "matched_for_type": n_typed,
        "items_without_output": sum(1 for it in gold if str(it["id"]) not in predicted),
    }
    return {"metrics": metrics, "counts": counts, "records": records}


def score(gold: list[dict], predicted: dict[str, list[dict]]) -> dict[str, float]:
    """The metrics described in the module docstring, keyed by name."""
    return evaluate(gold, predicted)["metrics"]


def failed_thresholds(metrics: dict[str, float]) -> list[str]:
    return [name for name, floor in THRESHOLDS.items() if metrics.get(name, 0.0) < floor]


# --------------------------------------------------------------------------- running


def run_extractor(items: list[dict], timeout: float = 3600.0) -> dict[str, list[dict]]:
    """Run ``sitrep extract --jsonl`` on the items and parse what it prints."""
    payload = "".join(
        json.dumps(
            {"id": it["id"], "text": it.get("text", ""), "title": it.get("title"),
             "published": it.get("published")},
            ensure_ascii=False,
        ) + "\n"
        for it in items
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sitrep.cli", "extract", "--jsonl"],
        input=payload, capture_output=True, text=True, encoding="utf-8",
        cwd=REPO_ROOT, timeout=timeout, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"sitrep extract --jsonl exited with {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return parse_predictions(proc.stdout.splitlines())


def _fmt_counts(counts: Sequence[int]) -> str:
    return "/".join(str(n) for n in counts)


def format_report(report: dict[str, Any], worst: int = 15) -> str:
    metrics, counts = report["metrics"], report["counts"]
    lines = [
        f"items {counts['items']} ({counts['items_with_incidents']} with incidents, "
        f"{counts['non_incident_items']} without); gold incidents {counts['gold_incidents']}, "
        f"predicted {counts['predicted_incidents']}, admin1-matched {counts['matched_admin1']}; "
        f"items without output {counts['items_without_output']}",
        "",
        f"{'metric':<22}{'value':>8}{'threshold':>11}  result",
    ]
    for name in METRIC_ORDER:
        value = metrics[name]
        if name in THRESHOLDS:
            floor = THRESHOLDS[name]
            verdict = "ok" if value >= floor else "BELOW"
            lines.append(f"{name:<22}{value:>8.3f}{floor:>11.2f}  {verdict}")
        else:
            lines.append(f"{name:<22}{value:>8.3f}{'-':>11}  (info)")
    misses = sorted(
        (r for r in report["records"] if r["problems"]), key=lambda r: (-r["severity"], r["id"]))
    lines += ["", f"worst misses ({min(worst, len(misses))} of {len(misses)} items with a problem;"
              " killed/injured as sf/mil/civ/unsp):"]
    for r in misses[:worst]:
        lines.append(
            f"  {r['id']:<8} {r['title'][:70]}\n"
            f"           incidents {r['gold_incidents']} vs {r['predicted_incidents']}; "
            f"killed {_fmt_counts(r['gold_killed'])} vs {_fmt_counts(r['pred_killed'])}; "
            f"injured {_fmt_counts(r['gold_injured'])} vs {_fmt_counts(r['pred_injured'])}\n"
            f"           " + "; ".join(r["problems"]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.extraction.score",
        description="Score incident extraction against the labelled development set.")
    parser.add_argument("--predictions", metavar="FILE.jsonl", default=None,
                        help="score saved extractor output instead of running `sitrep extract`")
    parser.add_argument("--devset", metavar="FILE.jsonl", default=None,
                        help="the labelled set (default: tests/extraction/devset.jsonl)")
    parser.add_argument("--worst", type=int, default=15, metavar="N",
                        help="how many of the worst misses to list (default 15)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a metric is below its threshold")
    args = parser.parse_args(argv)

    gold = load_devset(args.devset)
    try:
        if args.predictions:
            predicted = load_predictions(args.predictions)
        else:
            predicted = run_extractor(gold)
    except (OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"score: {exc}", file=sys.stderr)
        return 2

    report = evaluate(gold, predicted)
    if args.json:
        print(json.dumps({"metrics": report["metrics"], "counts": report["counts"],
                          "thresholds": THRESHOLDS}, indent=2))
    else:
        print(format_report(report, worst=args.worst))
    below = failed_thresholds(report["metrics"])
    if not args.json:
        print("\n" + ("all thresholds met" if not below else "below threshold: " + ", ".join(below)))
    return 1 if (args.strict and below) else 0


if __name__ == "__main__":
    sys.exit(main())
