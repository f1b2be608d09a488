"""Named armed groups and forces: aliases resolved to one canonical name."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span


@lru_cache(maxsize=1)
def load_actor_aliases() -> dict[str, str]:
    """Alias as written -> canonical name, from seeds/actors.toml."""
    data = tomllib.loads((resources.files("seeds") / "actors.toml").read_text("utf-8"))
    aliases: dict[str, str] = {}
    for actor in data["actor"]:
        for alias in [actor["name"], *actor["aliases"]]:
            aliases[alias] = actor["name"]
    return aliases


def _is_acronym(alias: str) -> bool:
    letters = alias.replace("-", "").replace("/", "")
    return letters.isupper() or len(letters) <= 4


class ActorMatcher:
    """Finds actor aliases in a doc; each span's `kb_id_` is the canonical name.

    Acronyms ("TTP", "IS-K") match case-sensitively so that an ordinary word never
    becomes a group; full names match in any case.
    """

    def __init__(self, nlp: Language) -> None:
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        for alias, name in load_actor_aliases().items():
            matcher = self.exact if _is_acronym(alias) else self.lower
            matcher.add(name, [nlp.make_doc(alias)])

    def spans(self, doc: Doc) -> list[Span]:
        found = []
        for matcher in (self.exact, self.lower):
            for match_id, start, end in matcher(doc):
                name = doc.vocab.strings[match_id]
                found.append(Span(doc, start, end, label="ACTOR", kb_id=name))
        return found
