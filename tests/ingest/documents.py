"""Feed documents for the tests: RSS 2.0, RSS 1.0 and Atom, built from a few fields."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

ENGLISH_TEXT = (
    "Gunmen attacked a police checkpoint in the north of the country on Sunday, killing "
    "three officers, and the army said it had sent troops to the area after the attack."
)
FRENCH_TEXT = (
    "Des hommes armés ont attaqué un poste de police dans le nord du pays dimanche, tuant "
    "trois agents, et l'armée a indiqué avoir envoyé des troupes dans la zone."
)


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str | None = None
    text: str = ENGLISH_TEXT
    published: str = "Sun, 02 Nov 2025 08:00:00 GMT"


def rss20(*items: Item, title: str = "Test Feed", language: str | None = "en-us") -> str:
    lang = f"<language>{language}</language>" if language else ""
    body = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        + (f"<guid isPermaLink='false'>{escape(i.guid)}</guid>" if i.guid else "")
        + f"<description>{escape('<p>' + i.text + '</p>')}</description>"
        f"<pubDate>{i.published}</pubDate></item>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://example.com/</link>{lang}{body}"
            "</channel></rss>")


def rss10(*items: Item, title: str = "RDF Feed") -> str:
    body = "".join(
        f'<item rdf:about="{escape(i.link)}"><title>{escape(i.title)}</title>'
        f"<link>{escape(i.link)}</link><description>{escape(i.text)}</description>"
        f"<dc:date>2025-11-02T08:00:00Z</dc:date></item>"
        for i in items
    )
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="http://example.com/"><title>{escape(title)}</title>'
            f"<link>http://example.com/</link><description>d</description><dc:language>en</dc:language>"
            f"</channel>{body}</rdf:RDF>")


def atom(*items: Item, title: str = "Atom Feed", lang: str = "en") -> str:
    body = "".join(
        f"<entry><title>{escape(i.title)}</title><link href=\"{escape(i.link)}\"/>"
        f"<id>{escape(i.guid or i.link)}</id><updated>2025-11-02T08:00:00Z</updated>"
        f"<summary type=\"html\">{escape('<p>' + i.text + '</p>')}</summary></entry>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:lang="{lang}"><title>{escape(title)}</title><id>urn:test:feed</id>'
            f"<updated>2025-11-02T08:00:00Z</updated>{body}</feed>")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://example.com/a</link></item></channel></rss>"""

HTML_PAGE = ("<!DOCTYPE html><html><head><title>Home</title></head>"
             "<body><h1>Welcome</h1><p>No feed here.</p></body></html>")

MALFORMED = '<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>Broken</title>\n<oops></channel>'
