"""The command line: `sitrep feeds ...` and `sitrep ingest --once`, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitrep.cli import main
from tests.ingest.conftest import FeedServer
from tests.ingest.documents import HTML_PAGE, Item, rss20


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    """Run `sitrep ARGS...`; return (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    for name, value in {"DATABASE_URL": db_url, "ALLOW_PRIVATE_FEED_HOSTS": "true",
                        "FETCH_FULL_TEXT": "false", "FETCH_TIMEOUT_SECONDS": "1"}.items():
        monkeypatch.setenv(f"SITREP_{name}", value)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return run


def test_add_list_ingest_remove(cli, server: FeedServer) -> None:
    url = server.route("/feed.xml", rss20(Item("One", "https://n.example/1"), title="Wire"),
                       etag='"1"')
    broken = server.route("/broken.xml", status=500)
    code, out, _ = cli("feeds", "add", url, "--name", "Wire service")
    assert code == 0 and out.startswith("added feed 1: Wire (1 entries, 1 new articles")

    code, out, err = cli("feeds", "add", broken)
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1] == (
        f"sitrep: cannot add {broken}: HTTP 500 Internal Server Error: the site has a problem; "
        "will retry later")

    code, out, _ = cli("ingest", "--once")
    assert code == 0
    assert out.startswith("feeds: 0 ok, 1 not modified, 0 failed; 0 new articles; 0 new incidents; ")

    code, out, _ = cli("feeds", "list", "--json")
    (row,) = json.loads(out)
    assert (row["id"], row["url"], row["status"], row["articles"], row["last_error"]) == (
        1, url, "ok", 1, None)

    code, out, _ = cli("feeds", "list")
    header, line = out.splitlines()
    assert header.split() == ["ID", "STATUS", "ARTICLES", "LAST", "FETCH", "NEXT", "FETCH", "FEED",
                              "LAST", "ERROR"]
    assert line.split()[:3] == ["1", "ok", "1"] and header.index("FEED") == line.index("Wire service")

    assert cli("feeds", "remove", url)[:2] == (0, f"removed feed 1: {url} (its articles are kept)\n")
    code, _, err = cli("feeds", "remove", "1")
    assert code == 2 and err.startswith("sitrep: no feed with id or URL '1'")
    assert cli("feeds", "list")[1].startswith("no feeds yet")


def test_failures_in_a_cycle_are_one_line_each(cli, server: FeedServer) -> None:
    ok = server.route("/ok.xml", rss20(Item("One", "https://n.example/1")))
    cli("feeds", "add", ok)
    server.route("/ok.xml", HTML_PAGE, content_type="text/html")
    code, out, err = cli("ingest", "--once")
    assert code == 0 and out.startswith("feeds: 0 ok, 0 not modified, 1 failed;")
    (line,) = [x for x in err.splitlines() if "feed failed" in x]
    assert "feed_id=1" in line and f"url={ok}" in line and "not a feed: the server sent an HTML page" in line


def test_seed_twice(cli) -> None:
    code, out, _ = cli("feeds", "seed")
    total = int(out.split()[4])
    assert code == 0 and out.startswith(f"added {total} of the {total} default feeds")
    assert cli("feeds", "seed")[1].startswith(f"added 0 of the {total} default feeds")
    code, out, _ = cli("feeds", "list", "--json")
    assert len(json.loads(out)) == total
