"""Sign-in limits in production: counted in Redis across every host, and closed when Redis is away.

Each host here is gunicorn in production mode with its own workers, as behind the load balancer;
memory storage would count separately in each worker of each host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from tests.officers import PASSWORD, Account, make_account
from tests.processes import Browser, free_port, portal_env, web_host


@pytest.fixture
def production_env(app: Flask, app_settings: dict[str, Any], redis_server: str) -> Iterator[dict[str, str]]:
    store = redis.Redis.from_url(redis_server)
    store.flushdb()
    yield portal_env(
        app_settings,
        PORTAL_ENV="production",
        SECRET_KEY="p" * 40,
        TRUSTED_PROXIES="1",
        RATELIMIT_STORAGE_URI=redis_server,
        SIGN_IN_LIMIT_PER_ACCOUNT="5 per 15 minutes",
    )
    store.flushdb()


def wrong_password(browser: Browser, account: Account) -> int:
    status, _ = browser.post_form(
        "/officer/sign-in", {"email": account.email, "password": "not-the-password"}
    )
    return status


def test_failed_sign_ins_are_counted_across_both_hosts(
    app: Flask, production_env: dict[str, str], tmp_path: Path
) -> None:
    officer = make_account(app, "officer")
    with (
        web_host(production_env, tmp_path / "one.log") as one,
        web_host(production_env, tmp_path / "two.log") as two,
    ):
        hosts = [Browser(one), Browser(two)]
        # Five wrong passwords, spread over both hosts and all their workers.
        assert [wrong_password(hosts[n % 2], officer) for n in range(5)] == [200] * 5
        for browser in (Browser(one), Browser(two)):
            status, page = browser.post_form(
                "/officer/sign-in", {"email": officer.email, "password": PASSWORD}
            )
            assert status == 429, "the account is paused on every host, even with the right password"
            assert "Too many attempts in a short time" in page


def test_sign_in_refuses_clearly_while_redis_is_away_and_residents_can_still_report(
    app: Flask, production_env: dict[str, str], tmp_path: Path
) -> None:
    officer = make_account(app, "officer")
    away = {**production_env, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}
    with web_host(away, tmp_path / "away.log") as url:
        status, page = Browser(url).post_form(
            "/officer/sign-in", {"email": officer.email, "password": PASSWORD}
        )
        assert status == 503
        assert "Signing in is not possible at the moment" in page
        # A resident is not turned away: their report is more important than counting it.
        status, _ = Browser(url).post_form("/report", {"kind": "asb"})
        assert status == 302
    assert "falling back" not in (tmp_path / "away.log").read_text().lower()
