"""Inline buttons that carry a region: callback data is "action:arg:key" (at most 64 bytes).

Keys that would not fit are replaced by a short token remembered in memory; a button whose
token was forgotten (after a restart) says so instead of guessing.
"""

from __future__ import annotations

import hashlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from sitrep.places import Place

MAX_CALLBACK_BYTES = 64
MAX_REMEMBERED = 10_000


def pack(action: str, arg: str, key: str, remembered: dict[str, str]) -> str:
    data = f"{action}:{arg}:{key}"
    if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
        return data
    token = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    if len(remembered) >= MAX_REMEMBERED:
        remembered.pop(next(iter(remembered)))
    remembered[token] = key
    return f"{action}:{arg}:#{token}"


def unpack(data: str, remembered: dict[str, str]) -> tuple[str, str, str | None]:
    """(action, arg, region key or None when the button is stale or malformed)."""
    action, _, rest = data.partition(":")
    arg, _, key = rest.partition(":")
    if key.startswith("#"):
        return action, arg, remembered.get(key[1:])
    return action, arg, key or None


def place_keyboard(
    places: list[Place], action: str, remembered: dict[str, str], arg: str = ""
) -> InlineKeyboardMarkup:
    """One button per place, labelled with its full name."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(place.label[:64], callback_data=pack(action, arg, place.region_key, remembered))]
        for place in places
    ])
