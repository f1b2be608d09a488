"""The spaCy pipeline Sitrep runs: the English model with its NER replaced by our tagger.

The small English model labels Peshawar an organisation and Khyber a person, so places
cannot be taken from its entities. `EntityTagger` runs after the parser and sets
`doc.ents` itself from the gazetteer (places, label GPE), the actor table (label ACTOR,
canonical name in `kb_id_`) and demonyms (label NORP, country code in `kb_id_`). The
model's own NER is not needed and is excluded, which also saves time.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import spacy
from rapidfuzz import fuzz
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from jobs.extract.actors import ActorMatcher
from jobs.extract.geo import CUE_KIND
from sitrep.places import Gazetteer, load_gazetteer, normalise

log = logging.getLogger(__name__)

COMPONENT = "sitrep_entities"
LOCATIVE = frozenset("in at near outside of from to into across around toward towards between "
                     "inside within on".split())
PLACE_NOUNS = frozenset("district province city town village area region valley tehsil agency "
                        "state county governorate municipality capital suburb outskirts".split())
MAX_PLACE_TOKENS = 7
ARTICLES = frozenset("al el ad ar as an ash at az".split())  # "al-Sukhnah", "el-Fasher"
UNKNOWN_PLACE_CUES = frozenset("in near outside at".split())
DIRECTIONS = frozenset("lower upper north south east west central northern southern eastern western".split())


@Language.factory(COMPONENT)
def make_entity_tagger(nlp: Language, name: str) -> EntityTagger:
    return EntityTagger(nlp, load_gazetteer())


class EntityTagger:
    """Sets doc.ents to places, actors and demonyms (see the module docstring)."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.actors = ActorMatcher(nlp)
        self.english_words = english_words(nlp)
        self._last_place_end = -10

    def __call__(self, doc: Doc) -> Doc:
        actors = self.actors.spans(doc)
        taken = {i for span in actors for i in range(span.start, span.end)}
        spans = list(actors)
        self._last_place_end = -10
        i = 0
        while i < len(doc):
            span = None if i in taken else (
                self._place_at(doc, i) or self._demonym_at(doc, i) or self._unknown_place_at(doc, i))
            if span is not None:
                spans.append(span)
                if span.label_ == "GPE":
                    self._last_place_end = span.end
                i = span.end
            else:
                i += 1
        doc.ents = filter_spans(spans)
        return doc

    def _place_at(self, doc: Doc, start: int) -> Span | None:
        arabic_article = doc[start].lower_ in ARTICLES and start + 2 < len(doc) and doc[start + 1].text == "-"
        if not (doc[start].text[:1].isupper() or arabic_article):
            return None
        shortest = start + 3 if arabic_article else start + 1
        for end in range(min(len(doc), start + MAX_PLACE_TOKENS), shortest - 1, -1):
            if not doc[end - 1].text[:1].isalnum():
                continue
            key = normalise(doc[start:end].text)
            if key and self.gazetteer.has_name(key):
                span = Span(doc, start, end, label="GPE", kb_id=key)
                return span if self._plausible(span) else None
        return self._spelling_variant(doc, start)

    def _spelling_variant(self, doc: Doc, start: int) -> Span | None:
        """"Rajouri district" when the gazetteer spells it Rajauri: a close name of the kind
        the cue word asks for, accepted only before "district", "province" and the like."""
        end = start + 1
        while end < len(doc) and end - start < 3 and doc[end].text[:1].isupper():
            end += 1
        if end >= len(doc) or doc[end].lower_ not in CUE_KIND or doc[start].is_stop:
            return None
        name = doc[start:end].text
        for place in self.gazetteer.suggest(name, limit=3):
            if place.kind == CUE_KIND[doc[end].lower_] and fuzz.ratio(normalise(name), normalise(place.name)) >= 85:
                return Span(doc, start, end, label="GPE", kb_id=normalise(place.name))
        return None

    def _plausible(self, span: Span) -> bool:
        """Keep a one-word name only where it reads as a place ("in Tank", "Tank district")."""
        first = span[0]
        if len(span) > 1 and any(t.text[:1].isupper() for t in span[1:]):
            return True
        if first.tag_ not in {"NNP", "NNPS"}:
            return False
        doc = span.doc
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        after_token = doc[span.end] if span.end < len(doc) else None
        after = after_token.lower_ if after_token is not None else ""
        if after in PLACE_NOUNS:
            return True
        if after_token is not None and after_token.text[:1].isupper() and after_token.tag_ in {"NNP", "NNPS"}:
            return False  # part of a longer name: "Human Rights", "Army Public School"
        if before in DIRECTIONS:
            return True
        places = self.gazetteer.lookup(span.text)
        in_list = before in {",", "and"} and span.start - self._last_place_end <= 2
        located = before in LOCATIVE or in_list
        if first.lower_ in self.english_words and not any(
                p.kind in {"country", "admin1"} or p.population >= 500_000 for p in places):
            return located  # "Tank", "Union", "Swat": a place only where one is expected
        if any(p.kind in {"country", "admin1", "admin2"} for p in places):
            return True
        if located or span.text.isupper():
            return True
        return max((p.population for p in places), default=0) >= 100_000

    def _unknown_place_at(self, doc: Doc, start: int) -> Span | None:
        """A proper name where a place is expected ("in Radaa, central Yemen") that the
        gazetteer does not know as written: labelled LOC for `geo` to match by spelling
        within the countries the article is about."""
        token = doc[start]
        if start == 0 or doc[start - 1].lower_ not in UNKNOWN_PLACE_CUES or token.tag_ != "NNP":
            return None
        end = start + 1
        while end < len(doc) and end - start < 3 and doc[end].tag_ == "NNP":
            end += 1
        after = doc[end].text if end < len(doc) else "."
        if after not in {",", ".", ";"} and doc[end].lower_ not in PLACE_NOUNS:
            return None
        return Span(doc, start, end, label="LOC", kb_id=normalise(doc[start:end].text))

    def _demonym_at(self, doc: Doc, start: int) -> Span | None:
        token = doc[start]
        if not token.text[:1].isupper():
            return None
        country = self.gazetteer.demonym_country(token.text)
        if country is None:
            return None
        return Span(doc, start, start + 1, label="NORP", kb_id=country.country_code)


def english_words(nlp: Language) -> frozenset[str]:
    """Ordinary English words, from the lemmatizer's word lists shipped with the model."""
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    lemmatizer = nlp.get_pipe("lemmatizer")
    if "lemma_index" not in lemmatizer.lookups.tables:
        return frozenset()
    index = lemmatizer.lookups.get_table("lemma_index")
    return frozenset(word for words in index.values() for word in words)


@lru_cache(maxsize=2)
def load_pipeline(model: str) -> Language:
    """The model named in settings, with our entity tagger in place of its NER."""
    nlp = spacy.load(model, exclude=["ner"])
    nlp.add_pipe(COMPONENT, last=True)
    log.debug("pipeline loaded: model=%s components=%s", model, ",".join(nlp.pipe_names))
    return nlp
