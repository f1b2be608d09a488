"""HTTP for feeds and article pages: bounded, polite and guarded.

* at most `fetch_concurrency` requests at once, and `fetch_per_host` per host;
* conditional GET (ETag / Last-Modified), gzip and deflate;
* redirects followed by hand (at most 5) so every hop is checked, and a chain of permanent
  redirects (301/308) reported so the stored feed URL can move;
* one deadline (`fetch_timeout_seconds`) for the whole request, all hops and the body;
* the body streamed and refused past `max_feed_bytes` (decompressed bytes are counted);
* every connection goes through `GuardedBackend`, which refuses private addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http
import ssl
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Literal

import httpcore
import httpx

from jobs.ingest.urls import HostNotFound, UnsafeURL, check_host_name, check_url, resolve_checked
from sitrep import USER_AGENT
from sitrep.settings import Settings

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})

Kind = Literal["feed", "page"]
_ACCEPT: dict[Kind, str] = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}


class FetchError(Exception):
    """A fetch failed; `str(exc)` says what happened and what a person can do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    body: bytes | None  # None for 304 Not Modified
    content_type: str
    etag: str | None
    last_modified: str | None
    moved_to: str | None  # where a chain of permanent redirects ended, if the chain began with one

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class _Hop:
    status: int
    headers: httpx.Headers
    body: bytes | None
    location: str | None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves host names itself and connects to the address it checked, so a DNS answer
    cannot change between the check and the connection; runs for every new connection,
    hence for every redirect hop to a new host."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port, allow_private=self._allow_private)
        error: httpcore.ConnectError = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used for feeds")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class HostLimiter:
    """A global cap and a per-host cap on requests in flight.

    The host slot is taken first, so requests queued behind a busy host do not hold
    global slots that requests to other hosts could use."""

    def __init__(self, total: int, per_host: int) -> None:
        self._total = asyncio.Semaphore(total)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(per_host))

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        async with self._hosts[host.lower()], self._total:
            yield


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Built once per process: loading the CA bundle takes tens of milliseconds."""
    return httpx.create_ssl_context()


def _transport(settings: Settings) -> httpx.AsyncHTTPTransport:
    """httpx has no public hook for the network backend, so the transport's connection pool
    is replaced by one built on `GuardedBackend` (same options otherwise)."""
    transport = httpx.AsyncHTTPTransport(verify=_ssl_context())
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=settings.fetch_concurrency,
        max_keepalive_connections=settings.fetch_concurrency,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(allow_private=settings.allow_private_feed_hosts),
    )
    return transport


def size_text(limit: int) -> str:
    """10485760 -> '10 MiB'; small test limits read '2 KiB'."""
    if limit >= 1 << 20:
        return f"{limit / (1 << 20):g} MiB"
    return f"{limit / 1024:g} KiB"


def http_error_message(status: int) -> str:
    """An HTTP error in words, with what a person can do about it."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    if status in (404, 410):
        advice = "the feed is not at this address any more; check the URL or remove the feed"
    elif status in (401, 403):
        advice = "the site refuses us (login required or bots blocked); check the URL in a browser"
    elif status == 429:
        advice = "the site is rate-limiting us; will retry later"
    elif status >= 500:
        advice = "the site has a problem; will retry later"
    else:
        advice = "check the URL in a browser"
    return f"HTTP {status} {phrase}: {advice}"


class Fetcher:
    """One HTTP client, shared by all the fetches of a cycle; use as `async with Fetcher(s)`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._limiter = HostLimiter(settings.fetch_concurrency, settings.fetch_per_host)
        self._client = httpx.AsyncClient(
            transport=_transport(settings),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.fetch_timeout_seconds),
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None,
        kind: Kind = "feed",
    ) -> FetchResult:
        """GET `url` under every limit above; raise FetchError with a readable message."""
        headers = {"Accept": _ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return await self._follow(url, headers, kind)
        except (TimeoutError, httpx.TimeoutException):
            raise FetchError(
                f"timed out after {self._settings.fetch_timeout_seconds:g} s: "
                "the site is slow or down; will retry later") from None
        except (UnsafeURL, HostNotFound) as exc:
            raise FetchError(str(exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(_network_error_message(exc, url)) from None

    async def _follow(self, url: str, headers: dict[str, str], kind: Kind) -> FetchResult:
        deadline: float | None = None
        moved_to: str | None = None
        permanent = True
        for _ in range(MAX_REDIRECTS + 1):
            host = self._checked_host(url)
            async with self._limiter.slot(host):
                deadline = deadline or (asyncio.get_running_loop().time()
                                        + self._settings.fetch_timeout_seconds)
                async with asyncio.timeout_at(deadline):
                    hop = await self._request(url, headers, kind)
            if hop.location is None:
                return FetchResult(
                    url=url, status=hop.status, body=hop.body,
                    content_type=hop.headers.get("content-type", ""),
                    etag=hop.headers.get("etag"), last_modified=hop.headers.get("last-modified"),
                    moved_to=moved_to,
                )
            permanent = permanent and hop.status in _PERMANENT
            url = hop.location
            moved_to = url if permanent else moved_to
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}): "
                         "the site redirects in a loop; check the URL in a browser")

    def _checked_host(self, url: str) -> str:
        try:
            check_url(url)
        except UnsafeURL as exc:
            raise UnsafeURL(f"refused {url!r}: {exc}") from None
        host = httpx.URL(url).host
        check_host_name(host, allow_private=self._settings.allow_private_feed_hosts)
        return host

    async def _request(self, url: str, headers: dict[str, str], kind: Kind) -> _Hop:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in _REDIRECTS and response.headers.get("location"):
                location = str(response.url.join(response.headers["location"]))
                return _Hop(status, response.headers, None, location)
            if status == 304:
                return _Hop(status, response.headers, None, None)
            if status >= 300:
                raise FetchError(http_error_message(status), status)
            body = await self._read_capped(response, kind)
            return _Hop(status, response.headers, body, None)

    async def _read_capped(self, response: httpx.Response, kind: Kind) -> bytes:
        limit = self._settings.max_feed_bytes
        too_large = FetchError(f"{kind} larger than {size_text(limit)}", response.status_code)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise too_large
        return bytes(body)


def _network_error_message(exc: httpx.HTTPError, url: str) -> str:
    host = httpx.URL(url).host or url
    cause = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.DecodingError):
        return f"the server at {host} sent a corrupt compressed body; will retry later"
    if isinstance(exc.__context__, ssl.SSLError) or "CERTIFICATE" in cause:
        return f"TLS problem with {host}: {cause}; check the URL in a browser"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {host}: {cause}; will retry later"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return f"not a valid URL: {cause}"
    return f"connection to {host} failed: {cause}; will retry later"
