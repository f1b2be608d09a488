"""`sitrep extract`: the extraction contract on the command line.

`sitrep extract FILE` prints {"incidents": [...]}; `sitrep extract --jsonl` reads lines
{"id", "text", "title"?, "published"?} and writes one {"id", "incidents"} line per input
line, in order, loading the pipeline once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

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


def _records(stream: TextIO) -> Iterator[tuple[Any, Any]]:
    """(id, ArticleInput) per non-empty line; a bad line is a UserError naming its number."""
    from jobs.extract.extractor import ArticleInput

    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
        except (ValueError, KeyError, TypeError):
            raise UserError(f"line {number}: expected a JSON object with \"id\" and \"text\"") from None
        if not isinstance(text, str):
            raise UserError(f"line {number}: \"text\" must be a string")
        published = parse_published(record.get("published"), where=f"line {number}")
        yield record.get("id"), ArticleInput(text=text, title=record.get("title"), published=published)


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from jobs.extract.extractor import Extractor

    extractor = Extractor(settings.spacy_model)
    if not args.jsonl:
        text = _read_text(args.file)
        published = parse_published(args.published, where="--published")
        incidents = extractor.extract(text, published=published)
        print(json.dumps({"incidents": [i.to_dict() for i in incidents]}, ensure_ascii=False, indent=2))
        return 0
    records = _records(sys.stdin)
    while batch := list(islice(records, BATCH)):
        results = extractor.extract_many([item for _, item in batch], batch_size=BATCH)
        for (record_id, _), incidents in zip(batch, results, strict=False):
            line = {"id": record_id, "incidents": [i.to_dict() for i in incidents]}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0
