"""The deployment files: they render completely, systemd accepts them, docs/deployment.md names
them all, and gunicorn behind the proxy never listens where anyone but the proxy could reach it.

tests/e2e/test_https_behind_nginx.py runs the rendered files themselves.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate.cli import db as migrate_commands

from deploy.render import DEPLOY, TEMPLATES, RenderError, placeholders, read_values, render, render_all
from portal.config import load_config
from tests.processes import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUIDE = PROJECT_ROOT / "docs" / "deployment.md"
GUNICORN_CONF: dict[str, Any] = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
BEHIND_PROXY = {"PORTAL_ENV": "production", "TRUSTED_PROXIES": "1"}


def _deploy_files() -> list[str]:
    return sorted(
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in DEPLOY.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def _all_placeholders() -> set[str]:
    return set().union(*(placeholders((DEPLOY / name).read_text()) for name in TEMPLATES))


def test_the_guide_names_every_deployment_file() -> None:
    guide = GUIDE.read_text()
    missing = [name for name in _deploy_files() if f"`{name}`" not in guide]
    assert not missing, f"docs/deployment.md does not name {missing}"


def test_every_deployment_file_the_guide_names_exists() -> None:
    named = set(re.findall(r"`(deploy/[\w./-]*[\w])`", GUIDE.read_text()))
    assert named, "the guide names the files"
    assert not [name for name in named if not (PROJECT_ROOT / name).exists()]


def test_every_template_is_rendered_and_every_file_is_a_template_or_a_tool() -> None:
    tools = {"deploy/__init__.py", "deploy/render.py", "deploy/values.example"}
    assert set(_deploy_files()) == {f"deploy/{name}" for name in TEMPLATES} | tools


def test_the_guide_explains_every_placeholder() -> None:
    explained = set(re.findall(r"`@([A-Z][A-Z_]*)@`", GUIDE.read_text()))
    assert explained == _all_placeholders()


def test_the_example_values_render_every_template_completely(tmp_path: Path) -> None:
    written = render_all(read_values(DEPLOY / "values.example"), tmp_path)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in written) == sorted(TEMPLATES)
    for path in written:
        assert not re.search(r"@[A-Z][A-Z_]*@", path.read_text()), f"{path.name} keeps a placeholder"


def test_the_rendered_settings_file_is_readable_by_its_owner_alone(tmp_path: Path) -> None:
    # It holds the secret key and the database password.
    render_all(read_values(DEPLOY / "values.example"), tmp_path)
    assert (tmp_path / "portal.env").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "nginx" / "do-it-online.conf").stat().st_mode & 0o777 == 0o644


def test_a_missing_or_unknown_value_is_refused(tmp_path: Path) -> None:
    values = read_values(DEPLOY / "values.example")
    with pytest.raises(RenderError, match="no value for BIND"):
        render_all({name: value for name, value in values.items() if name != "BIND"}, tmp_path)
    with pytest.raises(RenderError, match="no template uses SERVER_NAMES"):
        render_all({**values, "SERVER_NAMES": "typo"}, tmp_path)
    assert render("listen @HTTPS_LISTEN@ ssl;", {"HTTPS_LISTEN": "443"}) == "listen 443 ssl;"


def test_nginx_accepts_the_bodies_the_portal_accepts(tmp_path: Path) -> None:
    site = (DEPLOY / "nginx" / "do-it-online.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", site)
    assert size, "the site sets client_max_body_size in megabytes"
    assert int(size.group(1)) * 1024 * 1024 == load_config({}, tmp_path)["MAX_CONTENT_LENGTH"]


def test_nginx_serves_nothing_from_the_upload_folder() -> None:
    site = (DEPLOY / "nginx" / "do-it-online.conf").read_text()
    served = re.findall(r"^\s*(?:alias|root)\s+(\S+);", site, flags=re.MULTILINE)
    assert served == ["@ACME_ROOT@", "@PORTAL_ROOT@/static/", "@PORTAL_ROOT@/static/govuk/assets/"]
    assert "@UPLOAD_FOLDER@" not in site


def test_every_unit_runs_in_production_with_the_settings_file_and_hardening() -> None:
    for name in TEMPLATES:
        if not name.endswith(".service"):
            continue
        unit = (DEPLOY / name).read_text()
        for setting in (
            "User=do-it-online",
            "EnvironmentFile=@ENV_FILE@",
            "Environment=PORTAL_ENV=production",
            "ProtectSystem=strict",
            "ReadWritePaths=@UPLOAD_FOLDER@",
            "NoNewPrivileges=yes",
            "PrivateTmp=yes",
        ):
            assert f"\n{setting}\n" in unit, f"{name} lacks {setting}"
    assert "portal.env" in TEMPLATES and "PORTAL_ENV" not in read_values(DEPLOY / "portal.env")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_rendered_units(tmp_path: Path) -> None:
    values = read_values(DEPLOY / "values.example")
    values.update(
        PORTAL_ROOT=str(PROJECT_ROOT),
        ENV_FILE=str(tmp_path / "portal.env"),
        UPLOAD_FOLDER=str(tmp_path),
    )
    render_all(values, tmp_path)
    units = sorted(str(path) for path in (tmp_path / "systemd").iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


PRIVATE = ["unix:/run/x.sock", "127.0.0.1:8000", "127.0.0.2:8000", "[::1]:8000", "localhost:8000"]
EXPOSED = ["0.0.0.0:8000", ":8000", "[::]:8000", "192.0.2.10:8000", "portal.example:8000"]


@pytest.mark.parametrize("bind", PRIVATE)
def test_gunicorn_may_listen_where_only_the_proxy_reaches(bind: str) -> None:
    assert GUNICORN_CONF["bind_refusal"]([bind], BEHIND_PROXY) is None


@pytest.mark.parametrize("bind", EXPOSED)
def test_gunicorn_behind_a_proxy_refuses_an_address_others_reach(bind: str) -> None:
    refusal = GUNICORN_CONF["bind_refusal"](["unix:/run/x.sock", bind], BEHIND_PROXY)
    assert refusal and bind in refusal and "X-Forwarded-For" in refusal


@pytest.mark.parametrize("bind", EXPOSED)
def test_an_app_host_behind_a_named_proxy_on_another_host_may_listen_on_its_address(bind: str) -> None:
    # The portal believes forwarding headers from the named proxies only (tests/web/test_proxies.py).
    named = {**BEHIND_PROXY, "TRUSTED_PROXY_ADDRESSES": "10.213.7.10"}
    assert GUNICORN_CONF["bind_refusal"]([bind], named) is None


@pytest.mark.parametrize(
    "environ", [{"PORTAL_ENV": "production"}, {"PORTAL_ENV": "production", "TRUSTED_PROXIES": "0"}, {}]
)
def test_gunicorn_without_a_trusted_proxy_may_listen_anywhere(environ: dict[str, str]) -> None:
    assert GUNICORN_CONF["bind_refusal"](["0.0.0.0:8000"], environ) is None


@pytest.mark.parametrize("how", ["command line", "PORTAL_BIND"])
def test_gunicorn_in_production_behind_a_proxy_will_not_start_on_every_address(how: str) -> None:
    address = f"0.0.0.0:{free_port()}"
    env = {**os.environ, **BEHIND_PROXY, "PORTAL_BIND": address if how == "PORTAL_BIND" else "127.0.0.1:1"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "-c", "gunicorn.conf.py", "--no-control-socket"]
    if how == "command line":
        command += ["--bind", address]
    result = subprocess.run(
        [*command, "wsgi:app"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert f"refusing to listen on {address}" in result.stderr
    assert "Listening at" not in result.stderr


def _commands_named(text: str, prefix: str) -> set[tuple[str, str]]:
    return set(re.findall(rf"{prefix} ([a-z-]+) ([a-z-]+)", text))


def test_every_command_the_guide_and_the_units_run_exists(migrated_app: Flask) -> None:
    named = _commands_named(GUIDE.read_text(), "portal-flask")
    for name in TEMPLATES:
        named |= _commands_named((DEPLOY / name).read_text(), "flask --app wsgi")
    assert {("db", "upgrade"), ("outbox", "work"), ("drafts", "purge"), ("retention", "apply")} <= named
    groups: dict[str, Any] = {**migrated_app.cli.commands, "db": migrate_commands}
    for group, command in sorted(named):
        assert group in groups and command in groups[group].commands, f"no command {group} {command}"
