"""Forwarding headers are believed from the proxies the portal was told of, and from no one else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from portal.config import ConfigError, load_config
from portal.web.proxies import behind_proxies

PROXY = "10.213.7.10"


@Request.application
def seen(request: Request) -> Response:
    """What the portal would take the request to be."""
    return Response(f"{request.remote_addr} {request.scheme}")


def as_seen(app: Any, remote: str, headers: dict[str, str]) -> str:
    response = Client(app).get("/", environ_overrides={"REMOTE_ADDR": remote}, headers=headers)
    return response.get_data(as_text=True)


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def test_the_named_proxy_s_headers_give_the_client_s_address_and_scheme() -> None:
    app = behind_proxies(seen, 1, (PROXY,))
    assert as_seen(app, PROXY, FORWARDED) == "203.0.113.9 https"


@pytest.mark.parametrize("remote", ["192.0.2.50", "10.213.7.11", "127.0.0.1"])
def test_anyone_else_s_forwarding_headers_are_ignored(remote: str) -> None:
    app = behind_proxies(seen, 1, (PROXY,))
    assert as_seen(app, remote, FORWARDED) == f"{remote} http"


def test_without_named_proxies_the_last_hop_is_trusted_as_before() -> None:
    # gunicorn listens on loopback or a socket: only the proxy on the same host can reach it.
    app = behind_proxies(seen, 1, ())
    assert as_seen(app, "127.0.0.1", FORWARDED) == "203.0.113.9 https"


def test_proxy_addresses_are_read_from_the_environment(tmp_path: Path) -> None:
    config = load_config({"TRUSTED_PROXY_ADDRESSES": "10.213.7.10; 10.213.7.11"}, tmp_path)
    assert config["TRUSTED_PROXY_ADDRESSES"] == ("10.213.7.10", "10.213.7.11")
    assert load_config({}, tmp_path)["TRUSTED_PROXY_ADDRESSES"] == ()


def test_a_proxy_address_that_is_not_an_address_is_refused_saying_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"TRUSTED_PROXY_ADDRESSES must list IP addresses.*'lb\.example'"):
        load_config({"TRUSTED_PROXY_ADDRESSES": "10.213.7.10;lb.example"}, tmp_path)


def test_the_proxy_seen_as_an_ipv4_address_on_an_ipv6_socket_is_still_the_proxy() -> None:
    app = behind_proxies(seen, 1, (PROXY,))
    assert as_seen(app, f"::ffff:{PROXY}", FORWARDED) == "203.0.113.9 https"
