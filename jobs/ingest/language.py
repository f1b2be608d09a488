"""Cheap language detection: the declared language when there is one, else a stopword count.

Good enough to keep non-English articles away from the English-only extractor; it is not
a general language identifier, so undeclared non-English text is reported as "und".
"""

from __future__ import annotations

import re

ENGLISH = "en"
UNDETERMINED = "und"
MIN_WORDS_TO_JUDGE = 12
MIN_STOPWORD_RATIO = 0.15

_STOPWORDS = frozenset("""
    a about after against also an and are as at be been but by can for from had has have he
    her his in into is it its more not of on one or over said says she than that the their
    there they this to two was we were when which who will with would
""".split())
_WORD = re.compile(r"[^\W\d_]+")
_TAG = re.compile(r"[a-z]{2,3}")


def detect_language(declared: str | None, text: str) -> str:
    """A primary language subtag: the declared one ("en-US" -> "en"), else "en" when the
    text reads as English, else "und"."""
    if declared:
        primary = declared.strip().lower().replace("_", "-").split("-", 1)[0]
        if _TAG.fullmatch(primary):
            return primary
    return ENGLISH if looks_english(text) else UNDETERMINED


def looks_english(text: str) -> bool:
    """Latin script, and either too short to judge or rich in English function words."""
    words = _WORD.findall(text[:5000].lower())
    if not words:
        return True
    if sum(word.isascii() for word in words) / len(words) < 0.5:
        return False
    if len(words) < MIN_WORDS_TO_JUDGE:
        return True
    return sum(word in _STOPWORDS for word in words) / len(words) >= MIN_STOPWORD_RATIO
