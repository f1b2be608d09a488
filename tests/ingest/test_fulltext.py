"""Full text: short summaries are replaced by the article page's main text, once."""

from __future__ import annotations

from jobs.ingest.cycle import run_cycle
from sitrep.settings import Settings
from tests.ingest.conftest import FeedServer
from tests.ingest.documents import Item, rss20
from tests.ingest.helpers import add, articles

PARAGRAPHS = [
    "Security forces repelled an attack on a military base in the eastern province early on "
    "Tuesday, the defence ministry said in a statement issued in the capital.",
    "According to officials, the attackers used small arms and rocket-propelled grenades and "
    "the fighting lasted for more than two hours before reinforcements arrived at the base.",
    "Local residents told reporters that they heard heavy gunfire through the night and that "
    "several houses near the perimeter wall of the base were damaged during the clashes.",
    "The ministry said that the situation was under control and that an investigation into "
    "the attack had been opened, while the wounded were taken to the provincial hospital.",
]
ARTICLE = ("<html><head><title>Base attacked</title></head><body><nav>Home | World | Sport</nav>"
           "<article><h1>Base attacked</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
           + "</article><footer>Copyright</footer></body></html>")


async def test_short_summaries_get_the_page_text(server: FeedServer, fast: Settings) -> None:
    settings = fast.model_copy(update={"fetch_full_text": True})
    page = server.route("/story.html", ARTICLE, content_type="text/html; charset=utf-8")
    missing = server.base_url + "/missing.html"
    add(settings, server.route("/feed.xml", rss20(
        Item("Base attacked", page, text="Short summary."),
        Item("Missing page", missing, text="Summary kept."))))
    await run_cycle(settings, all_feeds=True)
    stored = {a.title: a for a in articles(settings)}
    assert "defence ministry said" in stored["Base attacked"].text
    assert "Copyright" not in stored["Base attacked"].text
    assert stored["Missing page"].text == "Summary kept."
    await run_cycle(settings, all_feeds=True)  # the feed again: the pages are not fetched again
    assert len(server.seen("/story.html")) == 1 and len(server.seen("/missing.html")) == 1


async def test_full_text_can_be_turned_off(server: FeedServer, fast: Settings) -> None:
    page = server.route("/story.html", ARTICLE, content_type="text/html")
    add(fast, server.route("/feed.xml", rss20(Item("Base attacked", page, text="Short summary."))))
    await run_cycle(fast, all_feeds=True)
    assert [a.text for a in articles(fast)] == ["Short summary."]
    assert server.seen("/story.html") == []
