"""`sitrep extract`: the extraction contract on the command line.

`sitrep extract FILE` prints {"incidents": [...]}; `sitrep extract --jsonl` reads lines
{"id", "text", "title"?, "published"?} and writes one {"id", "incidents"} line per input
line, in order, loading the pipeline once.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from jobs.extract.extractor import ArticleInput, Extractor
from sitrep.errors import UserError
from sitrep.settings import Settings

BATCH = 64


def parse_published(value: str | None, *, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise UserError(f"{where}: published must be a date such as 2026-11-27, not {str(value)[:40]!r}") from None


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None


@dataclass(frozen=True, slots=True)
class _Record:
    id: Any
    item: ArticleInput | None  # None: the line was bad, `error` says why
    error: str | None = None


def _record(number: int, line: str) -> _Record:
    """One input line; a bad line becomes a record with an error, never an exception."""
    try:
        record = json.loads(line)
    except ValueError:
        return _Record(None, None, f"line {number}: not JSON")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        record_id = record.get("id") if isinstance(record, dict) else None
        return _Record(record_id, None, f'line {number}: expected a JSON object with "id" and a "text" string')
    try:
        published = parse_published(record.get("published"), where=f"line {number}")
    except UserError as exc:
        return _Record(record.get("id"), None, str(exc))
    title = record.get("title") if isinstance(record.get("title"), str) else None
    return _Record(record.get("id"), ArticleInput(text=record["text"], title=title, published=published))


def _extract_jsonl(extractor: Extractor, stream: TextIO) -> list[str]:
    """One output line per non-empty input line, in order; returns the bad lines' errors.
    A bad line is answered with no incidents and an "error", and the rest go on."""
    records = (_record(n, line) for n, line in enumerate(stream, 1) if line.strip())
    errors: list[str] = []
    while batch := list(islice(records, BATCH)):
        good = [r for r in batch if r.item is not None]
        results = iter(extractor.extract_many([r.item for r in good], batch_size=BATCH))
        for record in batch:
            line: dict[str, Any] = {"id": record.id, "incidents": []}
            if record.item is None:
                line["error"] = record.error
                errors.append(record.error)
            else:
                line["incidents"] = [i.to_dict() for i in next(results)]
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return errors


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    extractor = Extractor(settings.spacy_model)
    if not args.jsonl:
        text = _read_text(args.file)
        published = parse_published(args.published, where="--published")
        incidents = extractor.extract(text, published=published)
        print(json.dumps({"incidents": [i.to_dict() for i in incidents]}, ensure_ascii=False, indent=2))
        return 0
    errors = _extract_jsonl(extractor, sys.stdin)
    if errors:
        raise UserError(f"{errors[0]} ({len(errors)} bad line(s) answered with an error, the rest extracted)")
    return 0
