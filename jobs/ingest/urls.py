"""URLs: canonical article links, admin-supplied feed URL checks and the private-address guard.

The guard keeps an admin (or a feed's redirect) from pointing the fetcher at the machine's
own network: loopback, private ranges, link-local, cloud metadata endpoints and the like.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import unquote_plus, urlsplit, urlunsplit

ALLOW_PRIVATE_HINT = "set SITREP_ALLOW_PRIVATE_FEED_HOSTS=true if the feed is on your own network"

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "ref", "ref_src", "ref_url", "referrer", "cmpid", "ocid", "smid", "ito",
})
TRACKING_PREFIXES = ("utm_", "ns_")
_DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(ValueError):
    """A URL the fetcher must not request; the message says why in words."""


class HostNotFound(OSError):
    """DNS has no address for the host."""


def canonical_url(url: str) -> str:
    """The link used to recognise an article: tracking parameters, fragment and default port
    removed, scheme and host lowercased. Anything unparsable is returned stripped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _is_tracking(pair: str) -> bool:
    """`pair` is one raw `name=value` piece; it is kept byte for byte when not tracking."""
    name = unquote_plus(pair.split("=", 1)[0]).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def check_url(url: str) -> str:
    """Return `url` stripped if the fetcher may request it (http(s), a host name, no blocked
    metadata host, no forbidden IP literal); raise UnsafeURL otherwise. No DNS here."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise UnsafeURL("only http:// and https:// URLs are allowed")
    if not parts.hostname:
        raise UnsafeURL("the URL has no host name")
    if any(ch.isspace() for ch in url):
        raise UnsafeURL("the URL contains spaces")
    return url


def check_host_name(host: str, *, allow_private: bool) -> None:
    """Refuse cloud-metadata names and forbidden IP literals before any lookup."""
    if allow_private:
        return
    name = host.lower().rstrip(".")
    if name in METADATA_HOSTS or name == "localhost" or name.endswith(".localhost"):
        raise UnsafeURL(f"refused: {host} is an internal host name; {ALLOW_PRIVATE_HINT}")
    try:
        literal = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return
    _check_address(host, literal)


def forbidden_address(ip: IPAddress) -> bool:
    """True for any address that is not plainly on the public internet."""
    if ip in METADATA_ADDRESSES:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            return forbidden_address(embedded)
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local
            or ip.is_reserved or ip.is_multicast or ip.is_unspecified)


def _check_address(host: str, ip: IPAddress) -> None:
    if forbidden_address(ip):
        kind = "a cloud metadata" if ip in METADATA_ADDRESSES else "a private or internal"
        shown = host if host.strip("[]") == str(ip) else f"{host} ({ip})"
        raise UnsafeURL(f"refused: {shown} is {kind} address; {ALLOW_PRIVATE_HINT}")


async def resolve_checked(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve `host` and return its addresses, refusing it if any address is forbidden
    (a name with one public and one private record is refused, not half-trusted)."""
    check_host_name(host, allow_private=allow_private)
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]  # a literal needs no lookup
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise HostNotFound(f"host name not found: {host} (check the URL)") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            _check_address(host, ipaddress.ip_address(address.split("%", 1)[0]))
    return addresses
