"""Proxies: which proxy a client's requests go through, and how a proxy is shown.

The rules are httpx's, so a client of this SDK goes where a plain ``httpx.Client()``
would go:

* an explicit proxy (the clients' ``proxy=`` argument, else ``KWIKPAISA_PROXY``) carries
  every request; ``NO_PROXY`` does not apply to it (as with httpx's ``proxy=``);
* otherwise ``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``, read by
  ``urllib.request.getproxies()`` exactly as httpx reads them (either case, the lower
  case winning; on macOS and Windows the system's settings too);
* a caller's own ``http_client=`` or ``transport=`` decides for itself (httpx ignores the
  environment's proxies when it is given a transport).

The routing itself is always httpx's: the clients hand the explicit proxy to httpx as
``proxy=``, and leave environment proxies to httpx's own transport. :func:`proxy_for`
only names the proxy a request goes through, for error messages.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from urllib.request import getproxies

import httpx

from ._constants import ENV_PROXY
from .errors import ConfigurationError

__all__ = [
    "environment_proxies_set",
    "mask_proxy",
    "proxy_for",
    "resolve_proxy",
]

_SCHEMES = ("http", "https")


def mask_proxy(url: str) -> str:
    """``url`` with any user name and password replaced by ``***``: safe for messages,
    logs and ``repr``. Everything up to the last ``@`` after the scheme is hidden, so a
    malformed URL (no scheme, an unencoded ``/`` or ``@`` in the password) is masked too."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme, rest = "", url
    if "@" not in rest:
        return url
    return f"{scheme}{separator}***@{rest.rpartition('@')[2]}"


def resolve_proxy(proxy: object, environ: Mapping[str, str] | None = None) -> str | None:
    """The explicit proxy URL: the ``proxy`` argument, else ``KWIKPAISA_PROXY`` (unset or
    empty: ``None``). Raises :class:`ConfigurationError` naming where a bad one came from."""
    if proxy is None:
        env = os.environ if environ is None else environ
        value = env.get(ENV_PROXY, "").strip()
        return _check_proxy_url(value, ENV_PROXY) if value else None
    if isinstance(proxy, httpx.URL):
        proxy = str(proxy)
    if not isinstance(proxy, str):
        raise ConfigurationError(
            f"proxy must be a URL string such as 'http://proxy.example:3128', "
            f"not {type(proxy).__name__}"
        )
    return _check_proxy_url(proxy, "proxy")


def _check_proxy_url(url: str, source: str) -> str:
    shown = mask_proxy(url)
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in _SCHEMES or not parsed.host:
        raise ConfigurationError(
            f"{source} {shown!r} is not a proxy URL: give http://host:port or "
            "https://host:port (credentials, if any, as http://user:password@host:port)"
        )
    return url


def environment_proxies_set() -> bool:
    """True when the environment names any proxy (``HTTP_PROXY``, ``HTTPS_PROXY`` or
    ``ALL_PROXY``, as httpx reads them), whatever ``NO_PROXY`` says."""
    info = getproxies()
    return any(info.get(scheme) for scheme in ("http", "https", "all"))


def proxy_for(url: str, explicit: str | None) -> str | None:
    """The proxy httpx sends a request for ``url`` through (``None``: straight there),
    for a client built with ``proxy=explicit`` or, without one, from the environment."""
    if explicit is not None:
        return explicit
    target = httpx.URL(url)
    for pattern, proxy in sorted(_environment_mounts(), key=lambda mount: mount[0].priority):
        if pattern.matches(target):
            return proxy
    return None


def _environment_mounts() -> list[tuple[_Pattern, str | None]]:
    """The environment's proxies as httpx mounts them: a URL pattern each, with the proxy
    URL, or ``None`` for a ``NO_PROXY`` entry (httpx's ``get_environment_proxies``)."""
    info = getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        proxy = info.get(scheme)
        if proxy:
            mounts[f"{scheme}://"] = proxy if "://" in proxy else f"http://{proxy}"
    for entry in (host.strip() for host in info.get("no", "").split(",")):
        if entry == "*":
            return []
        if not entry:
            continue
        if "://" in entry:
            mounts[entry] = None
        elif _is_address(entry, ipaddress.IPv4Address) or entry.lower() == "localhost":
            mounts[f"all://{entry}"] = None
        elif _is_address(entry, ipaddress.IPv6Address):
            mounts[f"all://[{entry}]"] = None
        else:
            mounts[f"all://*{entry}"] = None
    patterns = []
    for key, proxy in mounts.items():
        try:
            patterns.append((_Pattern(key), proxy))
        except (httpx.InvalidURL, ValueError):
            continue  # httpx itself refuses such an entry when the client is built
    return patterns


def _is_address(entry: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(entry.split("/")[0])
    except ValueError:
        return False
    return True


class _Pattern:
    """A mount key as httpx matches it: scheme (``all`` for any), host (``*.x``:
    subdomains of x; ``*x``: x and its subdomains), port."""

    def __init__(self, pattern: str) -> None:
        url = httpx.URL(pattern)
        self.scheme = "" if url.scheme == "all" else url.scheme
        self.host = "" if url.host == "*" else url.host
        self.port = url.port
        if not self.host:
            self.host_re: re.Pattern[str] | None = None
        elif self.host.startswith("*."):
            self.host_re = re.compile(rf"^.+\.{re.escape(self.host[2:])}$")
        elif self.host.startswith("*"):
            self.host_re = re.compile(rf"^(.+\.)?{re.escape(self.host[1:])}$")
        else:
            self.host_re = re.compile(rf"^{re.escape(self.host)}$")

    @property
    def priority(self) -> tuple[int, int, int]:
        """Most specific first: with a port, then longer hosts, then longer schemes."""
        return (0 if self.port is not None else 1, -len(self.host), -len(self.scheme))

    def matches(self, url: httpx.URL) -> bool:
        if self.scheme and self.scheme != url.scheme:
            return False
        if self.host_re is not None and not self.host_re.match(url.host):
            return False
        return self.port is None or self.port == url.port
