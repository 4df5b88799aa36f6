"""Trusting a proxy's ``X-Forwarded-*`` headers, and only the proxy's.

With ``TRUSTED_PROXIES=N`` the portal reads the client's address and scheme from the last N
proxies' headers (Werkzeug's ProxyFix). When gunicorn listens on loopback or a Unix socket, only
a proxy on the same host can reach it. When the proxy is another host (two app hosts behind one
load balancer), gunicorn must listen on a network address, and ``TRUSTED_PROXY_ADDRESSES`` names
the proxies: a request from any other address is taken as it came, its ``X-Forwarded-For``
ignored, so a client that reaches gunicorn directly cannot choose the address limits count.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix


class FromTrustedProxies:
    """ProxyFix for requests from ``addresses``; every other request untouched."""

    def __init__(self, app: Any, proxies: int, addresses: Iterable[str]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=proxies, x_proto=proxies)
        self.addresses = frozenset(_plain(address) for address in addresses)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if _plain(environ.get("REMOTE_ADDR", "")) in self.addresses:
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def _plain(address: str) -> str:
    """An address as the configuration writes it: an IPv4 peer seen on an IPv6 socket as IPv4."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)


def behind_proxies(app: Any, proxies: int, addresses: tuple[str, ...]) -> Any:
    """The WSGI app that reads ``proxies`` levels of forwarding headers, from ``addresses`` only if given."""
    if addresses:
        return FromTrustedProxies(app, proxies, addresses)
    return ProxyFix(app, x_for=proxies, x_proto=proxies)
