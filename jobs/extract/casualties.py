"""How many were killed and injured, and who: figures read from one sentence.

A *mention* is a number (digits, words, or "a"/"an" before a victim's noun) tied to a
casualty word: after it ("seven soldiers were killed", "26 people dead"), or before it
("killing at least 141", "the death of six militants"), or through a list ("five soldiers
and seven militants lost their lives"). Its category comes from the victims' noun.
Numbers that are dates, ages, distances or money, vague quantities ("dozens") and numbers
inside a clause about an earlier event ("after an attack that killed 140") are not
mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from jobs.extract import lexicon as lx
from jobs.extract.dates import MONTHS
from jobs.extract.numbers import SCALES, is_number_word, parse_number
from jobs.extract.taxonomy import CATEGORIES

SKIP_BEFORE = frozenset("""
at least more than over up to about around nearly almost some another a an further additional
only the as many roughly approximately estimated than least total of all who whom which were
""".split())
UNIT_AFTER = frozenset("""
year years yr old km kilometres kilometers kilometre kilometer miles mile metres meters metre
meter percent % per hours hour minutes minute days day weeks week months month am pm a.m. p.m.
billion crore lakh rupees dollars euros pounds naira afghanis shillings tonnes tons kg times
vehicles houses homes shops buildings cars villages rounds bullets points goals runs wickets
seats votes
""".split())
NOT_AFTER_ARTICLE = frozenset("number total series lot couple group few handful pair".split())
AUX_SKIP = frozenset("""
were was are is be been being have has had got get reportedly also later allegedly all
both each subsequently eventually instantly immediately on the spot critically seriously
severely badly fatally mortally slightly
""".split())
PASSIVE_ONLY = frozenset("killed wounded injured hurt slain".split())
INTRANSITIVE_DEATH = frozenset("dead died die dies perished perish martyred succumbed".split())
MONTH_WORDS = frozenset(MONTHS) | frozenset(m[:3] for m in MONTHS)


@dataclass
class Mention:
    """One figure: `count` people of `category`, `kind` killed or injured."""

    start: int
    end: int
    count: int
    noun: str | None
    category: str = "unspecified"
    kind: str | None = None
    toll: bool = False
    breakdown: bool = False
    coordinated: bool = False  # "and"/"," joins it to the previous mention


@dataclass
class Figures:
    killed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    injured: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    toll: int | None = None

    @property
    def total(self) -> int:
        return sum(self.killed.values()) + sum(self.injured.values())

    def __bool__(self) -> bool:
        return self.total > 0 or bool(self.toll)


def _is_number(token: Token) -> bool:
    return is_number_word(token.text)


def _number_run(doc: Doc, i: int, end: int) -> int:
    """End of the run of number words starting at i ("twenty - three", "two hundred and five")."""
    j = i + 1
    while j < end:
        tok = doc[j]
        if _is_number(tok):
            j += 1
        elif tok.text == "-" and j + 1 < end and _is_number(doc[j + 1]):
            j += 2
        elif tok.lower_ == "and" and doc[j - 1].lower_ in SCALES and j + 1 < end and _is_number(doc[j + 1]):
            j += 2
        else:
            break
    return j


def _excluded(doc: Doc, start: int, end: int, value: int) -> bool:
    """Dates, ages, years, units and money are not casualty figures."""
    before = doc[start - 1].lower_ if start > 0 else ""
    after = [t.lower_ for t in doc[end:end + 3] if t.text != "-"]
    if before in MONTH_WORDS or (after and after[0] in MONTH_WORDS):
        return True
    if before in {"$", "rs", "aged", "no", "no.", "number", "flight", "route", "highway", "phase",
                  "article", "section", "page", "level", "grade", "class", "£", "€", "ages"}:
        return True
    if after and after[0] in UNIT_AFTER:
        return True
    return 1900 <= value <= 2100 and doc[start].text.isdigit() and len(doc[start].text) == 4


def _victim_noun(doc: Doc, start: int, limit: int) -> tuple[int, str | None, bool]:
    """(end of the noun phrase, victim noun lemma or None, is it some other noun)."""
    j, noun, other = start, None, False
    if j < limit and doc[j].lower_ == "of" and j + 1 < limit and doc[j + 1].lower_ in {"the", "them", "those", "whom", "these"}:
        j += 2 if doc[j + 1].lower_ == "the" else 1
        if doc[j - 1].lower_ in {"them", "whom", "those", "these"}:
            return j, None, False
    while j < limit and j - start < 5:
        tok = doc[j]
        if tok.pos_ in {"NOUN", "PROPN"} or tok.tag_ in {"NNS", "NNPS"}:
            word = victim_word(tok)
            noun, other = (word, False) if word else (noun, noun is None)
        elif not (tok.pos_ == "ADJ" or tok.text == "-" or tok.tag_ == "NNP" or tok.lower_ in {"other", "more"}):
            break
        j += 1
    return j, noun, other and noun is None


def victim_word(token: Token) -> str | None:
    """The lexicon word for a victim noun ("policemen" -> "policemen", "troops" -> "troop")."""
    for word in (token.lemma_.lower(), token.lower_, token.lower_.rstrip("s")):
        if word in lx.VICTIM_NOUNS:
            return word
    return None


def category_of(noun: str | None) -> str:
    if noun in lx.SECURITY_NOUNS:
        return "security_forces"
    if noun in lx.MILITANT_NOUNS:
        return "militants"
    if noun in lx.CIVILIAN_NOUNS:
        return "civilians"
    return "unspecified"


def _candidates(sent: Span) -> list[Mention]:
    doc, out, i = sent.doc, [], sent.start
    while i < sent.end:
        tok = doc[i]
        if _is_number(tok) and tok.lower_ != "one":
            j = _number_run(doc, i, sent.end)
            value = parse_number([t.text for t in doc[i:j]])
            if value is not None and value > 0 and not _excluded(doc, i, j, value):
                out.append(_mention(doc, i, j, value, sent.end))
            i = j
        elif tok.lower_ in {"a", "an", "one"} and i + 1 < sent.end:
            mention = _singular(doc, i, sent.end)
            if mention:
                out.append(mention)
            i += 1
        else:
            i += 1
    return [m for m in out if m is not None]


def _mention(doc: Doc, start: int, end: int, value: int, limit: int) -> Mention | None:
    np_end, noun, other_noun = _victim_noun(doc, end, limit)
    if other_noun:
        return None
    return Mention(start=start, end=np_end, count=value, noun=noun, category=category_of(noun))


def _singular(doc: Doc, i: int, limit: int) -> Mention | None:
    """"a policeman", "one of the soldiers": one victim (not "a number of", "a total of")."""
    if doc[i + 1].lower_ in NOT_AFTER_ARTICLE:
        return None
    np_end, noun, _ = _victim_noun(doc, i + 1, limit)
    plural = doc[np_end - 1].tag_ in {"NNS", "NNPS"} and doc[i + 1].lower_ != "of"
    if noun is None or noun in lx.GENERIC_NOUNS or plural:
        return None
    return Mention(start=i, end=np_end, count=1, noun=noun, category=category_of(noun))


def _forward_kind(doc: Doc, j: int, limit: int) -> str | None:
    """Casualty word after the noun phrase: "were killed", "dead", "lost their lives"."""
    while j < limit and (doc[j].lower_ in AUX_SKIP or doc[j].pos_ == "ADV" and doc[j].lower_ != "not"):
        j += 1
    if j >= limit or doc[j].lower_ in {"not", "never", "n't"}:
        return None
    tok, nxt = doc[j], doc[j + 1] if j + 1 < limit else None
    if tok.lower_ in INTRANSITIVE_DEATH or tok.lemma_ == "succumb":
        return "killed"
    if tok.lemma_ in {"lose", "sacrifice", "embrace"} and any(t.lower_ in {"lives", "life", "martyrdom"} for t in doc[j:j + 3]):
        return "killed"
    if tok.lemma_ in {"sustain", "suffer", "receive"} and any(t.lemma_ in lx.INJURED_WORDS for t in doc[j:j + 4]):
        return "injured"
    if tok.lower_ in PASSIVE_ONLY or tok.lower_ in {"wounded", "injured"}:
        object_follows = nxt is not None and (nxt.like_num or nxt.pos_ in {"DET", "NUM"} or victim_word(nxt))
        if tok.tag_ == "VBD" and object_follows:
            return None  # "Two bombers killed 20 people": the agents, not the victims
        return "killed" if tok.lower_ in {"killed", "slain"} else "injured"
    return None


def _backward_kind(doc: Doc, start: int, floor: int) -> tuple[str | None, str | None]:
    """(kind, relation) from the words before the number: "killing", "the death of",
    "including" (relation "breakdown"), "and"/"," (relation "coordinated"), "toll ... to"."""
    k = start - 1
    while k >= floor and doc[k].lower_ in SKIP_BEFORE:
        k -= 1
    if k < floor:
        return None, None
    tok = doc[k]
    if tok.lower_ in {"no", "none", "not", "without"}:
        return None, "negated"
    if tok.lemma_ in lx.KILL_VERBS or tok.lower_ in {"killing", "kills", "killed", "leaving", "left", "leaves"}:
        return ("killed" if tok.lemma_ in lx.KILL_VERBS else None), None
    if tok.lemma_ in lx.INJURE_VERBS:
        return "injured", None
    if tok.lemma_ in {"death", "life", "body", "funeral"} or (tok.lower_ in {"claimed", "claiming", "took", "taking"}):
        return "killed", None
    if tok.lower_ in {"including", "among", "includes", "included"}:
        return None, "breakdown"
    if tok.lower_ in {"and", ",", "while", "plus", "as", "well"}:
        return None, "coordinated"
    if any(t.lemma_ in lx.TOLL_WORDS for t in doc[max(floor, k - 5):k + 1]):
        return "killed", "toll"
    return None, None


def _link(mentions: list[Mention], doc: Doc, sent: Span) -> None:
    """Give every mention its kind, from its own words or from its list neighbours."""
    for m in mentions:
        kind, relation = _backward_kind(doc, m.start, sent.start)
        if relation == "negated":
            m.kind = "negated"
            continue
        m.kind = _forward_kind(doc, m.end, sent.end) or kind
        m.toll = relation == "toll"
        m.breakdown = relation == "breakdown"
        m.coordinated = relation == "coordinated"
    for prev, m in zip(mentions, mentions[1:]):  # left to right: "killing a soldier and two civilians"
        if m.coordinated and m.kind is None and prev.kind not in {None, "negated"}:
            m.kind, m.breakdown = prev.kind, prev.breakdown
    for m, nxt in reversed(list(zip(mentions, mentions[1:]))):  # right to left: "five soldiers and seven militants lost"
        if m.kind is None and nxt.coordinated and nxt.kind not in {None, "negated"}:
            m.kind = nxt.kind
    for prev, m in zip(mentions, mentions[1:]):  # "... and wounding another six": same victims
        if m.noun is None and prev.noun is not None and prev.kind:
            m.category = prev.category


def find_mentions(sent: Span) -> list[Mention]:
    """Casualty mentions in one sentence, outside clauses about earlier events."""
    mentions = _candidates(sent)
    _link(mentions, sent.doc, sent)
    return [m for m in mentions if m.kind in {"killed", "injured"} and not in_reference_clause(sent.doc[m.start])]


def in_reference_clause(token: Token) -> bool:
    """Is the token inside "after/following/over <an earlier event>"?"""
    node = token
    while node.head.i != node.i:
        if node.dep_ in {"pobj", "pcomp"} and node.head.lower_ in lx.REFERENCE_PREPS:
            return True
        if node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in lx.REFERENCE_PREPS for c in node.children):
            return True
        node = node.head
    return False


def figures_of(mentions: list[Mention]) -> Figures:
    """Add up one sentence's mentions; "including" parts split the figure they belong to."""
    figures = Figures()
    for m in mentions:
        if m.breakdown:
            continue
        target = figures.killed if m.kind == "killed" else figures.injured
        if m.toll:
            figures.toll = max(figures.toll or 0, m.count)
        target[m.category] += m.count
    for m in mentions:
        if m.breakdown and m.category != "unspecified":
            target = figures.killed if m.kind == "killed" else figures.injured
            moved = min(m.count, target["unspecified"])
            target["unspecified"] -= moved
            target[m.category] += moved
    return figures
