"""Canonical links, URL checks, the private-address guard and language detection."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest

from jobs.ingest.language import detect_language
from jobs.ingest.urls import (
    UnsafeURL,
    canonical_url,
    check_host_name,
    check_url,
    forbidden_address,
    resolve_checked,
)
from tests.ingest.documents import ENGLISH_TEXT, FRENCH_TEXT


@pytest.mark.parametrize(("raw", "canonical"), [
    ("HTTPS://News.Example.COM:443/a/b?id=7&utm_source=rss&utm_medium=x#comments",
     "https://news.example.com/a/b?id=7"),
    ("http://news.example/a?fbclid=1&gclid=2&ref=tw&page=2&Utm_Campaign=z",
     "http://news.example/a?page=2"),
    ("http://news.example:8080?q=a%2Fb&mc_cid=1", "http://news.example:8080/?q=a%2Fb"),
    ("mailto:x@example.com", "mailto:x@example.com"),
])
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "file:///etc/passwd",
                                 "javascript:alert(1)", "https:///nohost", "http://exa mple.com/"])
def test_only_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1",
                                     "169.254.169.254", "fd00:ec2::254", "::1", "fe80::1",
                                     "100.64.0.1", "224.0.0.1", "0.0.0.0", "::ffff:10.0.0.1",
                                     "64:ff9b::a9fe:a9fe", "240.0.0.1"])
def test_internal_addresses_are_forbidden(address: str) -> None:
    assert forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("host", ["metadata.google.internal", "localhost", "169.254.169.254",
                                  "[fd00:ec2::254]"])
def test_internal_host_names_are_refused_without_a_lookup(host: str) -> None:
    with pytest.raises(UnsafeURL, match="SITREP_ALLOW_PRIVATE_FEED_HOSTS"):
        check_host_name(host, allow_private=False)
    check_host_name(host, allow_private=True)


def test_language_declared_or_guessed() -> None:
    assert detect_language("en-GB", FRENCH_TEXT) == "en"
    assert detect_language("fr", ENGLISH_TEXT) == "fr"
    assert detect_language(None, ENGLISH_TEXT) == "en"
    assert detect_language(None, FRENCH_TEXT) == "und"
    assert detect_language(None, "مسلح افراد نے حملہ کیا") == "und"


@pytest.mark.parametrize(("answers", "refused"), [
    (["93.184.216.34"], False),
    (["93.184.216.34", "10.0.0.5"], True),  # one private record is enough to refuse
    (["fd00:ec2::254"], True),
])
async def test_names_are_checked_after_lookup(answers: list[str], refused: bool,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    async def getaddrinfo(host: str, port: int, **_: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    if refused:
        with pytest.raises(UnsafeURL, match="^refused: feeds.example"):
            await resolve_checked("feeds.example", 443, allow_private=False)
    else:
        assert await resolve_checked("feeds.example", 443, allow_private=False) == answers
    assert await resolve_checked("feeds.example", 443, allow_private=True) == answers
