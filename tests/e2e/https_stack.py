"""The portal as a council runs it, on this machine: nginx ends TLS, gunicorn listens on a Unix socket.

Everything is made from the files in ``deploy/``, rendered by ``deploy.render`` with paths and
ports for a temporary folder: nginx's site, and the systemd units, whose ``ExecStart``,
``WorkingDirectory``, ``Environment`` and ``EnvironmentFile`` start the same commands systemd
would, in production mode. Only nginx's outer file (pid, logs, temporary folders) is the tests'
own, standing in for Debian's ``/etc/nginx/nginx.conf``. All of it listens on loopback only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

from deploy.render import render_all
from tests.processes import free_port, stop, wait_until_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
SECRET_KEY = "https-test-secret-key-" + "x" * 32


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path, str]:
    """A certificate for ``host`` (an IP address) and its key, made with openssl, and the base64
    SHA-256 of its public key, which Chromium is told to trust."""
    cert, key = folder / "portal.crt", folder / "portal.key"
    request = ["req", "-x509", "-nodes", "-days", "2"]
    request += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    names = ["-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(["openssl", *request, *names, *files], check=True, capture_output=True)
    public_key = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-noout", "-pubkey"], check=True, capture_output=True
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"], input=public_key, check=True, capture_output=True
    ).stdout
    return cert, key, base64.b64encode(hashlib.sha256(der).digest()).decode()


@dataclass(frozen=True)
class Service:
    """What systemd would run for a unit: the command, its environment and its folder."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path


def read_environment_file(path: Path) -> dict[str, str]:
    """NAME=value lines, as systemd's EnvironmentFile= reads them (comments and blanks skipped)."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip().strip('"')
    return values


def read_unit(path: Path) -> Service:
    """The [Service] section's command, folder and environment; the environment file wins over
    Environment= lines, as in systemd."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            settings.setdefault(name.strip(), []).append(value.strip())
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    for assignment in settings.get("Environment", []):
        for item in shlex.split(assignment):
            name, _, value = item.partition("=")
            env[name] = value
    for file in settings.get("EnvironmentFile", []):
        env.update(read_environment_file(Path(file.removeprefix("-"))))
    return Service(shlex.split(settings["ExecStart"][0]), env, Path(settings["WorkingDirectory"][0]))


def address_hash(address: str) -> str:
    """The portal's log key for a client address (portal.logs.hashed_address)."""
    return hmac.new(SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]


def nginx_main_conf(folder: Path, site: Path) -> str:
    """The outer file Debian's /etc/nginx/nginx.conf would be, with every path in ``folder``.

    Debian's turns gzip on for the whole http block; so does this one."""
    # As root, nginx's workers would switch to nobody, who cannot enter pytest's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        "    gzip on;\n"
        f"    access_log {folder / 'access.log'};\n"
        f"{temp}"
        f"    include {site};\n"
        "}\n"
    )


def _wait_for_file(path: Path, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped (exit {process.returncode}):\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within 30 seconds:\n{log.read_text()}")
        time.sleep(0.1)


@dataclass
class Stack:
    """The running portal: its public address, its rendered files and its processes' logs."""

    folder: Path
    https_port: int
    http_port: int
    socket: Path
    cert: Path
    spki: str
    upload_folder: Path
    gunicorn: subprocess.Popen[bytes] | None = None
    mail_worker: subprocess.Popen[bytes] | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def site(self) -> Path:
        """The rendered nginx site."""
        return self.folder / "deploy" / "nginx" / "do-it-online.conf"

    def unit(self, name: str) -> Service:
        return read_unit(self.folder / "deploy" / "systemd" / name)

    def run_unit(self, name: str, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a unit's command to the end, as systemd runs a oneshot service."""
        service = self.unit(name)
        return subprocess.run(
            [*service.argv, *extra],
            cwd=service.cwd,
            env=service.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def flask(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``flask --app wsgi ARGS`` as an administrator runs it: the web service's user, folder
        and settings (docs/deployment.md's ``portal-flask``)."""
        service = self.unit("do-it-online.service")
        flask = str(Path(service.argv[0]).with_name("flask"))
        return subprocess.run(
            [flask, "--app", "wsgi", *args],
            cwd=service.cwd,
            env=service.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start_unit(self, name: str, log: str) -> subprocess.Popen[bytes]:
        """Start a unit's long-running command, its output to ``log`` in the stack's folder."""
        service = self.unit(name)
        with (self.folder / log).open("wb") as output:
            process = subprocess.Popen(
                service.argv, cwd=service.cwd, env=service.env, stdout=output, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.folder / name).read_text(errors="replace")

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop(process)


def render_deployment(folder: Path, database_url: str, smtp_port: int, redis_url: str) -> Stack:
    """Render every file in deploy/ for this machine, with a fresh certificate and free ports."""
    cert, key, spki = self_signed_certificate(folder, "127.0.0.1")
    https_port, http_port = free_port(), free_port()
    upload_folder = folder / "uploads"
    upload_folder.mkdir()
    values = {
        "SERVER_NAME": "127.0.0.1",
        "PUBLIC_HOST": f"127.0.0.1:{https_port}",
        "HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "CERT": str(cert),
        "KEY": str(key),
        "ACME_ROOT": str(folder / "acme"),
        "ACCESS_LOG": str(folder / "access.log"),
        "PORTAL_ROOT": str(PROJECT_ROOT),
        "BIND": f"unix:{folder / 'gunicorn.sock'}",
        "UPSTREAM": f"server unix:{folder / 'gunicorn.sock'};",
        "ENV_FILE": str(folder / "deploy" / "portal.env"),
        "UPLOAD_FOLDER": str(upload_folder),
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_USE_TLS": "false",
    }
    render_all(values, folder / "deploy")
    # This machine's own sizes: two cores shared with other work, and a mail server on loopback.
    with (folder / "deploy" / "portal.env").open("a") as env_file:
        env_file.write("WEB_CONCURRENCY=2\nMAIL_TIMEOUT=5\nOUTBOX_BACKOFF_SECONDS=0\n")
    return Stack(folder, https_port, http_port, folder / "gunicorn.sock", cert, spki, upload_folder)


def start_stack(folder: Path, database_url: str, smtp_port: int, redis_url: str) -> Iterator[Stack]:
    """Render, migrate, and start gunicorn, nginx and the mail worker; stop them all afterwards."""
    stack = render_deployment(folder, database_url, smtp_port, redis_url)
    redis.Redis.from_url(redis_url).flushdb()
    try:
        # Before the web service starts, as after every upgrade: `flask --app wsgi db upgrade`,
        # with the units' environment.
        migrate = stack.flask("db", "upgrade")
        if migrate.returncode != 0:
            raise RuntimeError(f"flask db upgrade failed:\n{migrate.stderr}")
        stack.gunicorn = stack.start_unit("do-it-online.service", "gunicorn.log")
        _wait_for_file(stack.socket, stack.gunicorn, folder / "gunicorn.log", "gunicorn")

        nginx_conf = folder / "nginx.conf"
        nginx_conf.write_text(nginx_main_conf(folder, stack.site))
        nginx_args = [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(nginx_conf)]
        check = subprocess.run([*nginx_args, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
        with (folder / "nginx.out").open("wb") as output:
            nginx = subprocess.Popen(
                [*nginx_args, "-g", "daemon off;"], stdout=output, stderr=subprocess.STDOUT
            )
        stack.processes.append(nginx)
        _wait_for_file(folder / "nginx.pid", nginx, folder / "error.log", "nginx")
        wait_until_healthy(stack.url, nginx, folder / "error.log", cafile=stack.cert)

        stack.mail_worker = stack.start_unit("do-it-online-mail.service", "mail-worker.log")
        yield stack
    finally:
        stack.stop()
