"""Numbers written in digits or words ("23", "1,200", "twenty-three", "a dozen")."""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "single": 1, "lone": 1,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES)
_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def is_number_word(word: str) -> bool:
    low = word.lower()
    return low in NUMBER_WORDS or bool(_DIGITS.match(low))


def parse_number(words: list[str]) -> int | None:
    """Value of a run of number words ("two", "hundred", "and", "five"); None if not a number."""
    words = [w.lower() for w in words if w not in {"-", "and"}]
    if not words:
        return None
    if len(words) == 1 and _DIGITS.match(words[0]):
        return int(words[0].replace(",", ""))
    total, current = 0, 0
    for word in words:
        if _DIGITS.match(word):
            current += int(word.replace(",", ""))
        elif word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word in SCALES:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current
