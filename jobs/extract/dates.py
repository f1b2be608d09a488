"""When an incident happened: weekday names, "yesterday", "overnight" and explicit dates,
resolved against the article's publication date."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_MONTH_RX = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_MONTH_DAY = re.compile(_MONTH_RX + r"\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b", re.I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RX + r"(?:,?\s+(\d{4}))?\b", re.I)
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
_YESTERDAY = re.compile(r"\b(yesterday|last night|overnight|late on the previous day)\b", re.I)
_TODAY = re.compile(r"\b(today|this morning|earlier today|this afternoon|tonight)\b", re.I)


def _explicit(text: str, published: date) -> date | None:
    for rx, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        match = rx.search(text)
        if not match:
            continue
        month = _MONTH_ABBR[match.group(month_group)[:3].lower()]
        day = int(match.group(day_group))
        year = int(match.group(3)) if match.group(3) else published.year
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if not match.group(3) and found > published + timedelta(days=1):
            found = found.replace(year=year - 1)  # "December 30" read in January
        return found
    return None


def _weekday(text: str, published: date) -> date | None:
    match = _WEEKDAY.search(text)
    if not match:
        return None
    wanted = WEEKDAYS.index(match.group(1).lower())
    back = (published.weekday() - wanted) % 7
    return published - timedelta(days=back)


def resolve_date(text: str, published: date | None) -> date | None:
    """The first date cue in `text`, resolved; None when the text gives none."""
    if published is None:
        return None
    for finder in (_explicit, _weekday):
        found = finder(text, published)
        if found is not None:
            return found
    if _YESTERDAY.search(text):
        return published - timedelta(days=1)
    if _TODAY.search(text):
        return published
    return None


_MONTH_YEAR = re.compile(_MONTH_RX + r"\s+(\d{4})\b", re.I)
_IN_MONTH = re.compile(r"\b(?:in|since|last) " + _MONTH_RX + r"\b(?!\s+\d)", re.I)


def _earlier_month(text: str, published: date) -> bool:
    """"In February, a bomber killed five" in a report published in November."""
    match = _IN_MONTH.search(text)
    if not match:
        return False
    month = _MONTH_ABBR[match.group(1)[:3].lower()]
    return (published.month - month) % 12 >= 2


def explicit_past_year(text: str, published: date | None) -> bool:
    """Does the text date itself well before publication ("on March 13, 1997", "in 2009",
    "in February")?"""
    if published is None:
        return False
    if _earlier_month(text, published):
        return True
    month_year = _MONTH_YEAR.search(text)
    if month_year:
        month = _MONTH_ABBR[month_year.group(1)[:3].lower()]
        if (published - date(int(month_year.group(2)), month, 1)).days > 62:
            return True
    found = _explicit(text, published)
    if found is not None and found.year < published.year and (published - found).days > 60:
        return True
    if found is not None and (published - found).days <= 60:
        return False
    years = [int(y) for y in re.findall(r"\b(19[5-9]\d|20[0-4]\d)\b", text)]
    return bool(years) and max(years) < published.year
