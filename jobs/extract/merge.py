"""Reconciling the figures that several sentences give for one incident.

News repeats itself: a lede says "12 people were killed", the body says "three policemen
and nine civilians died", and an update says "the death toll rose to 15". Adding these up
would double-count. The rule: a later report that fits inside what is already known
restates it (its categories are taken out of the unspecified count); one that covers
what is known and more replaces it; a report about other victims adds to it; a toll
sets the total.
"""

from __future__ import annotations

from jobs.extract.casualties import Figures


def _fits(known: dict[str, int], new: dict[str, int]) -> bool:
    excess = sum(max(0, new[c] - known[c]) for c in known if c != "unspecified")
    return excess <= known["unspecified"] and sum(new.values()) <= sum(known.values())


def _covers(new: dict[str, int], known: dict[str, int]) -> bool:
    missing = sum(max(0, known[c] - new[c]) for c in known if c != "unspecified")
    return missing <= new["unspecified"] and sum(new.values()) >= sum(known.values())


def _restate(known: dict[str, int], new: dict[str, int]) -> dict[str, int]:
    out = dict(known)
    for c in known:
        if c != "unspecified" and new[c] > known[c]:
            out["unspecified"] -= new[c] - known[c]
            out[c] = new[c]
    return out


def merge_counts(known: dict[str, int], new: dict[str, int]) -> dict[str, int]:
    """Combine one kind (killed or injured) of two reports about the same incident."""
    if not any(new.values()):
        return dict(known)
    if not any(known.values()):
        return dict(new)
    if _fits(known, new):
        return _restate(known, new)
    if _covers(new, known):
        return _restate(new, known)
    return {c: max(known[c], new[c]) if known[c] and new[c] else known[c] + new[c] for c in known}


def _apply_toll(counts: dict[str, int], toll: int) -> dict[str, int]:
    """"The death toll rose to 15": the total becomes 15, known categories stay."""
    named = sum(v for c, v in counts.items() if c != "unspecified")
    out = dict(counts)
    out["unspecified"] = max(0, toll - named)
    return out


def merge_figures(known: Figures, new: Figures) -> Figures:
    merged = Figures(
        killed=merge_counts(known.killed, new.killed),
        injured=merge_counts(known.injured, new.injured),
        toll=new.toll or known.toll,
    )
    if new.toll:
        merged.killed = _apply_toll(merge_counts(known.killed, {**new.killed, "unspecified": 0}), new.toll)
    return merged
