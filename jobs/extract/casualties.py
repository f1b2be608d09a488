"""How many were killed and injured, and who: figures read from one sentence.

A *mention* is a number (digits, words, or "a"/"another" before a victim's noun) tied to
a casualty word: after it ("seven soldiers were killed", "26 people dead"), before it
("killing at least 141", "the death of six militants", "shot dead a boy"), through the
parse ("a farmer who tried to flee was shot dead"), or through a list ("five soldiers and
seven militants lost their lives"). Its category comes from the victims' noun, or, when
the noun is left out ("opened fire on worshippers, killing eight"), from the victims
named earlier in the sentence. Numbers that are dates, ages, distances or money, vague
quantities ("dozens") and numbers in a clause about an earlier event ("after an attack
that killed 140") are not mentions.
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
them those these
""".split())
UNIT_AFTER = frozenset("""
year years yr old km kilometres kilometers kilometre kilometer miles mile metres meters metre
meter percent % per hours hour minutes minute days day weeks week months month am pm a.m. p.m.
billion crore lakh rupees dollars euros pounds naira afghanis shillings tonnes tons kg times
vehicles houses homes shops buildings cars villages rounds bullets points goals runs wickets
seats votes firearms weapons rifles guns
""".split())
NOT_AFTER_ARTICLE = frozenset("number total series lot couple group few handful pair".split())
SINGULAR_DETERMINERS = frozenset("a an one another their his her its".split())
AUX_SKIP = frozenset("""
were was are is be been being have has had got get reportedly also later allegedly all
both each subsequently eventually instantly immediately on the spot critically seriously
severely badly fatally mortally slightly reported said believed confirmed feared
""".split())
PASSIVE_KILLED = frozenset("killed slain beheaded murdered massacred executed lynched assassinated".split())
PASSIVE_INJURED = frozenset("wounded injured hurt maimed stabbed".split())
MANNER_OF_DEATH = frozenset("shot shoot shoots shooting gunned hacked beaten stoned burnt burned crushed stabbed".split())
INTRANSITIVE_DEATH = frozenset("dead died die dies perished perish martyred succumbed".split())
MONTH_WORDS = frozenset(MONTHS) | frozenset(m[:3] for m in MONTHS)
ASIDE_OPENERS = frozenset("including among mostly mainly most many all both of".split())
DEATH_NOUNS = frozenset("death life body funeral".split())
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
CLAUSE_DEPS = frozenset({"advcl", "ccomp", "conj", "xcomp"})
TIME_SPANS = frozenset("hour day week month year decade".split())
MAX_ONE_EVENT = 999  # a figure of thousands is a tally of a war or a year, not one event


@dataclass
class Mention:
    """One figure: `count` people of `category`, `kind` killed or injured."""

    start: int
    end: int
    count: int
    noun: str | None
    noun_token: int | None = None
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


# --- finding numbers and their noun phrases ---------------------------------------------

def _number_run(doc: Doc, i: int, end: int) -> int:
    """End of the run of number words starting at i ("twenty - three", "two hundred and five")."""
    j = i + 1
    while j < end:
        tok = doc[j]
        if is_number_word(tok.text):
            j += 1
        elif tok.text == "-" and j + 1 < end and is_number_word(doc[j + 1].text):
            j += 2
        elif tok.lower_ == "and" and doc[j - 1].lower_ in SCALES and j + 1 < end and is_number_word(doc[j + 1].text):
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
                  "article", "section", "page", "level", "grade", "class", "£", "€", "ages", "the"}:
        return True
    if after and after[0] in UNIT_AFTER:
        return True
    return 1900 <= value <= 2100 and doc[start].text.isdigit() and len(doc[start].text) == 4


def _skip_age(doc: Doc, j: int, limit: int) -> int:
    """Skip "10-year-old" inside a noun phrase."""
    if doc[j].like_num and j + 2 < limit and doc[j + 1].text == "-" and doc[j + 2].lower_ in {"year", "month"}:
        k = j + 3
        while k < limit and doc[k].lower_ in {"-", "old"}:
            k += 1
        return k
    return j


def _noun_phrase(doc: Doc, start: int, limit: int) -> tuple[int, str | None, int | None]:
    """(end of the noun phrase after a number, victim noun or None, index of that noun)."""
    j = start
    if j + 1 < limit and doc[j].lower_ == "of" and doc[j + 1].lower_ in {"the", "them", "those", "whom", "these"}:
        if doc[j + 1].lower_ != "the":
            return j + 2, lx.PARTITIVE, None  # "three of them": part of a figure already given
        j += 2
    nouns: list[tuple[int, str | None]] = []  # (index, victim word or None) for each noun
    while j < limit and j - start < 6:
        j = _skip_age(doc, j, limit)
        if j >= limit:
            break
        tok = doc[j]
        if tok.lower_ in INTRANSITIVE_DEATH or tok.lower_ in PASSIVE_KILLED | PASSIVE_INJURED:
            break
        next_is_noun = j + 1 < limit and doc[j + 1].pos_ in {"NOUN", "PROPN"}
        if tok.pos_ in {"NOUN", "PROPN"} or tok.tag_ in {"NNS", "NNPS", "NNP"}:
            nouns.append((j, victim_word(tok)))
        elif tok.pos_ == "ADJ" and victim_word(tok) and not next_is_noun:
            nouns.append((j, victim_word(tok)))  # "a passer-by", tagged as an adjective
        elif not (tok.tag_ in {"VBG", "VBN"} and j + 1 < limit and doc[j + 1].pos_ in {"NOUN", "ADJ"}
                  or tok.pos_ == "ADJ" or tok.text == "-" or tok.lower_ in {"other", "more"}):
            break  # VBG/VBN before a noun: "infiltrating militants", "wounded passengers"
        j += 1
    noun, index = _head_noun(doc, nouns, j, limit)
    return j, noun, index


def _head_noun(doc: Doc, nouns: list[tuple[int, str | None]], end: int, limit: int) -> tuple[str | None, int | None]:
    """The victim noun of a phrase: its head ("army helicopter" has none), except that a
    plain "men"/"members" takes its specific modifier ("Levies men") or its "of" phrase
    ("members of the security forces")."""
    if not nouns:
        return None, None
    index, word = nouns[-1]
    if word is None and doc[index].lemma_.lower() in lx.THINGS:
        return lx.THING, index
    if word in lx.PLAIN_PEOPLE or word is None and doc[index].lower_ in lx.PLAIN_PEOPLE:
        specific = [(i, w) for i, w in nouns[:-1] if w and w not in lx.PLAIN_PEOPLE]
        if specific:
            return specific[-1][1], specific[-1][0]
        if end + 1 < limit and doc[end].lower_ == "of":
            for k in range(end + 1, min(limit, end + 6)):
                if doc[k].ent_type_ == "ACTOR":
                    return "militant", k
                inner = victim_word(doc[k])
                if inner:
                    return inner, k
    return word, (index if word else None)


def _candidates(sent: Span) -> list[Mention]:
    doc, out, i = sent.doc, [], sent.start
    while i < sent.end:
        tok = doc[i]
        if is_number_word(tok.text) and tok.lower_ != "one":
            j = _number_run(doc, i, sent.end)
            value = parse_number([t.text for t in doc[i:j]])
            if value and value <= MAX_ONE_EVENT and not _excluded(doc, i, j, value):
                end, noun, index = _noun_phrase(doc, j, sent.end)
                if noun == lx.PARTITIVE:
                    out.append(Mention(i, end, value, None, None, breakdown=True))
                elif noun != lx.THING:
                    out.append(Mention(i, end, value, noun, index, category_of(noun)))
            i = j
            continue
        if tok.lower_ in SINGULAR_DETERMINERS and i + 1 < sent.end:
            mention = _singular(doc, i, sent.end)
            if mention:
                out.append(mention)
        i += 1
    return out


def _singular(doc: Doc, i: int, limit: int) -> Mention | None:
    """"a policeman", "another soldier", "one of the soldiers": one victim."""
    if doc[i + 1].lower_ in NOT_AFTER_ARTICLE:
        return None
    end, noun, index = _noun_phrase(doc, i + 1, limit)
    if noun is None or noun == lx.THING or noun in lx.GENERIC_NOUNS or index is None:
        return None
    if doc[index].tag_ in {"NNS", "NNPS"} and doc[i + 1].lower_ != "of":
        return None
    return Mention(i, end, 1, noun, index, category_of(noun))


# --- tying a number to killed or injured -------------------------------------------------

def _skip_aside(doc: Doc, j: int, limit: int) -> int:
    """Skip ", including six women and three children," and "of the NPA" to reach the verb."""
    if j + 1 < limit and doc[j].text == "," and doc[j + 1].lower_ in ASIDE_OPENERS:
        k = j + 1
        while k < limit and doc[k].text != ",":
            k += 1
        return k + 1 if k < limit else j
    if j < limit and doc[j].lower_ in {"from", "of"}:
        k = j + 1
        while k < limit and (doc[k].pos_ in {"PROPN", "DET", "ADJ", "NOUN"} or doc[k].text in {"(", ")", "'s", "-"}):
            k += 1
        return k if k < limit and doc[k].pos_ in {"AUX", "VERB"} else j
    return j


def _forward_kind(doc: Doc, j: int, limit: int) -> str | None:
    """Casualty word after the noun phrase: "were killed", "dead", "lost their lives"."""
    j = _skip_aside(doc, j, limit)
    while j < limit and (doc[j].lower_ in AUX_SKIP or doc[j].pos_ == "ADV" and doc[j].lower_ != "not"):
        j += 1
    if j >= limit or doc[j].lower_ in {"not", "never", "n't"}:
        return None
    tok, nxt = doc[j], doc[j + 1] if j + 1 < limit else None
    if tok.lower_ in INTRANSITIVE_DEATH or tok.lemma_ == "succumb":
        return "killed"
    if tok.lower_ == "to" and nxt is not None and nxt.lower_ == "death":
        return "killed"
    if tok.lower_ in MANNER_OF_DEATH and nxt is not None and nxt.lower_ in {"dead", "down", "to"}:
        return "killed"
    if tok.lemma_ in {"lose", "sacrifice", "embrace"} and any(t.lower_ in {"lives", "life", "martyrdom"} for t in doc[j:j + 3]):
        return "killed"
    if tok.lemma_ in {"sustain", "suffer", "receive"} and any(t.lemma_ in lx.INJURED_WORDS for t in doc[j:j + 4]):
        return "injured"
    if tok.lower_ in PASSIVE_KILLED | PASSIVE_INJURED:
        object_follows = nxt is not None and (nxt.like_num or nxt.pos_ in {"DET", "NUM"} or victim_word(nxt))
        if tok.tag_ == "VBD" and object_follows:
            return None  # "Two bombers killed 20 people": the agents, not the victims
        return "killed" if tok.lower_ in PASSIVE_KILLED else "injured"
    return None


def _backward_kind(doc: Doc, start: int, floor: int) -> tuple[str | None, str | None]:
    """(kind, relation) from the words before the number: "killing", "the death of",
    "including" (relation "breakdown"), "and"/"," (relation "coordinated")."""
    k = start - 1
    while k >= floor and doc[k].lower_ in SKIP_BEFORE:
        k -= 1
    if k < floor:
        return None, None
    tok, prev = doc[k], doc[k - 1] if k > floor else None
    if tok.lower_ in {"no", "none", "not", "without", "from"} or tok.lemma_ in {"sentence", "condemn"}:
        return None, "negated"  # "no one", "sentenced three men to death", "rose from 31"
    if tok.lemma_ in lx.KILL_VERBS or tok.lower_ in {"killing", "kills", "killed"}:
        return "killed", None
    if tok.lower_ in {"dead", "down"} and prev is not None and prev.lower_ in MANNER_OF_DEATH:
        return "killed", None
    if tok.lemma_ in lx.INJURE_VERBS or tok.lower_ in {"stabbing", "stabbed", "stabs"}:
        return "injured", None
    if tok.lemma_ in DEATH_NOUNS or tok.lower_ in {"claimed", "claiming", "took", "taking"}:
        return "killed", None
    if tok.lower_ in {"including", "among", "includes", "included"}:
        return None, "breakdown"
    if tok.lower_ in {"and", ",", "while", "plus", "as", "well"}:
        return None, "coordinated"
    return None, None


def _dependency_kind(doc: Doc, index: int | None) -> tuple[str | None, bool]:
    """(kind, is toll) from the parse: the victim noun as the subject of "was shot dead",
    the object of "killed", or a number that a "toll" rose to."""
    if index is None:
        return None, False
    node = doc[index]
    while node.dep_ == "conj" and node.head.i != node.i:
        node = node.head
    head = node.head
    if node.dep_ in SUBJECT_DEPS and head.lemma_ in {"die", "perish", "succumb"}:
        return "killed", False
    if node.dep_ == "nsubjpass":
        if head.lemma_ in lx.KILL_VERBS and head.lemma_ != "shoot" or any(c.lower_ in {"dead", "death"} for c in head.subtree):
            return "killed", False
        if head.lemma_ in lx.INJURE_VERBS or head.lower_ in PASSIVE_INJURED:
            return "injured", False
    if node.dep_ == "dobj" and head.lemma_ in lx.KILL_VERBS | lx.INJURE_VERBS and head.lemma_ != "shoot":
        return ("killed" if head.lemma_ in lx.KILL_VERBS else "injured"), False
    return None, False


def _toll(doc: Doc, start: int) -> bool:
    """Is the number the value of a toll ("the death toll ... rose to 11")?"""
    node = doc[start]
    for _ in range(4):
        if node.head.i == node.i:
            break
        node = node.head
        if any(c.dep_ in SUBJECT_DEPS and c.lemma_ in {"toll", "number", "tally", "count"} for c in node.children):
            return True
    return False


def _link(mentions: list[Mention], doc: Doc, sent: Span) -> None:
    """Give every mention its kind, from its own words or from its list neighbours."""
    for m in mentions:
        kind, relation = _backward_kind(doc, m.start, sent.start)
        if relation == "negated":
            m.kind = "negated"
            continue
        m.toll = _toll(doc, m.start)
        m.kind = "killed" if m.toll else _forward_kind(doc, m.end, sent.end) or kind
        if m.kind is None:
            m.kind = _dependency_kind(doc, m.noun_token)[0]
        m.breakdown = m.breakdown or relation == "breakdown"
        m.coordinated = relation == "coordinated"
    for prev, m in zip(mentions, mentions[1:], strict=False):  # left to right: "killing a soldier and two civilians"
        if m.coordinated and prev.breakdown and m.kind is None:
            m.breakdown = True  # "including six women and three children"
        if m.coordinated and m.kind is None and prev.kind not in {None, "negated"}:
            m.kind = prev.kind
    for m, nxt in reversed(list(zip(mentions, mentions[1:], strict=False))):  # right to left: "five soldiers and seven militants lost"
        if m.kind is None and nxt.coordinated and nxt.breakdown == m.breakdown and nxt.kind not in {None, "negated"}:
            m.kind = nxt.kind
    parent = None
    for m in mentions:  # "38 people, including six women, were killed": the parts share the kind
        if not m.breakdown:
            parent = m
        elif parent is not None and parent.kind in {"killed", "injured"}:
            m.kind = parent.kind


def _elided_category(doc: Doc, m: Mention, sent: Span, taken: set[int]) -> str | None:
    """"opened fire on worshippers, killing eight": the victims named before the figure."""
    for k in range(m.start - 1, sent.start - 1, -1):
        tok = doc[k]
        if k in taken or tok.dep_ not in {"pobj", "dobj", "conj"} or tok.ent_type_ == "ACTOR":
            continue
        word = victim_word(tok)
        if word and word not in lx.GENERIC_NOUNS and category_of(word) != "militants":
            return category_of(word)
    return None


def find_mentions(sent: Span) -> list[Mention]:
    """Casualty mentions in one sentence, outside clauses about earlier events."""
    doc = sent.doc
    mentions = _candidates(sent)
    _link(mentions, doc, sent)
    taken = {i for m in mentions for i in range(m.start, m.end)}
    kept: list[Mention] = []
    for m in mentions:
        if m.kind not in {"killed", "injured"} or in_reference_clause(doc[m.start]) or _is_speaker(doc, m):
            continue
        if m.noun_token is not None and _restates(doc[m.noun_token], kept):
            continue  # "killing its driver, a local official": the same person
        if m.noun is None and not m.breakdown:
            named = [k for k in kept if not k.breakdown and k.noun is not None]
            inherited = named[-1].category if named else None
            m.category = inherited or _elided_category(doc, m, sent, taken) or "unspecified"
        kept.append(m)
    return kept


def _restates(noun: Token, earlier: list[Mention]) -> bool:
    """Is the noun an apposition to a victim already counted?"""
    return noun.dep_ == "appos" and any(m.start <= noun.head.i < m.end for m in earlier)


def _is_speaker(doc: Doc, m: Mention) -> bool:
    """"..., an official said": the source of the report, not a victim."""
    return any(t.dep_ == "nsubj" and t.head.lemma_ in {"say", "tell", "add", "confirm", "report", "state"}
               for t in doc[m.start:m.end])


def in_reference_clause(token: Token) -> bool:
    """Is the token inside "after/following/over <an earlier event>"?"""
    return reference_clause(token) is not None


def in_earlier_event(token: Token) -> bool:
    """Is the token inside a clause about another event ("a week after a bombing in
    Kandahar killed 63") rather than the cause or a step of this one ("killed after a bomb
    explodes at a market", "after pulling them off buses")?"""
    clause = reference_clause(token)
    return clause is not None and _another_event(clause)


def earlier_event_tokens(span: Span) -> set[int]:
    """Indices of every token of `span` inside a clause about another event."""
    heads = [t for t in span if _is_reference_head(t) and _another_event(t)]
    return {w.i for head in heads for w in head.subtree}


def _another_event(clause: Token) -> bool:
    """Another event has its own toll, or is set apart by a span of time ("a week after")."""
    words = list(clause.subtree)
    toll = any(t.like_num for t in words) and any(
        t.lemma_.lower() in lx.KILL_VERBS | lx.INJURE_VERBS or t.lower_ in INTRANSITIVE_DEATH for t in words)
    return toll or any(t.lemma_.lower() in TIME_SPANS for t in clause.doc[max(0, words[0].i - 3):words[0].i])


def reference_clause(token: Token) -> Token | None:
    """The head of the clause about an earlier event that holds the token, if any."""
    node = token
    while node.head.i != node.i:
        if _is_reference_head(node):
            return node
        node = node.head
    return None


def _is_reference_head(node: Token) -> bool:
    if node.dep_ in {"pobj", "pcomp"} and node.head.lower_ in lx.REFERENCE_PREPS:
        return True
    if node.dep_ in CLAUSE_DEPS and any(t.lower_ in lx.REFERENCE_PREPS and t.dep_ in {"mark", "prep", "advmod"}
                                        for left in node.lefts for t in left.subtree):
        return True  # "..., hours after a bombing killed 11", "a day after gunmen killed 141"
    if node.dep_ == "relcl" and node.head.lemma_ in lx.LONG_CONFLICTS:
        return True  # "a war that killed half a million people"
    return node.dep_ == "relcl" and _mentioned_in_passing(node)  # "arrested an operative behind a bombing that killed 12"


def _mentioned_in_passing(relcl: Token) -> bool:
    """A relative clause about an event that is not what the sentence reports."""
    root = relcl.sent.root
    if root.lemma_.lower() in lx.EVENT_WORDS:
        return False
    antecedent = relcl.head
    return antecedent.dep_ not in SUBJECT_DEPS or antecedent.head.i != root.i


def figures_of(mentions: list[Mention]) -> Figures:
    """Add up one sentence's mentions. "Including" parts split the figure they belong to;
    a toll is the total, of which the sentence's other figures are parts."""
    figures = Figures()
    for m in mentions:
        if m.breakdown:
            continue
        if m.toll:
            figures.toll = max(figures.toll or 0, m.count)
            continue
        (figures.killed if m.kind == "killed" else figures.injured)[m.category] += m.count
    for m in mentions:
        if m.breakdown and m.category != "unspecified":
            target = figures.killed if m.kind == "killed" else figures.injured
            moved = min(m.count, target["unspecified"])
            target["unspecified"] -= moved
            target[m.category] += moved
    if figures.toll:
        named = sum(figures.killed.values())
        figures.killed["unspecified"] += max(0, figures.toll - named)
    return figures
