"""Two app hosts behind nginx, two mail workers, one PostgreSQL and one Redis: the portal as a
council with two servers runs it, on test hosts of this machine (tests/topology/network.py).

nginx's site is deploy/nginx/do-it-online.conf rendered with the topology's addresses, load
balancing over both app hosts. Each app host is gunicorn in production mode, listening on its
own address and believing forwarding headers from the load balancer only
(``TRUSTED_PROXY_ADDRESSES``). The evidence folder is one folder both hosts share, as a council
with several app hosts mounts one share on each (docs/deployment.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from deploy.render import render
from portal.config import PROJECT_ROOT
from tests.e2e.https_stack import nginx_main_conf, self_signed_certificate
from tests.processes import FLASK, GUNICORN, wait_until_healthy
from tests.topology.network import Host, Network
from tests.topology.services import MailServer, Postgres, Redis

HOSTS = ["lb", "app1", "app2", "mail1", "mail2", "data", "smtp"]
APP_PORT = 8000
HTTPS_PORT = 443
SECRET_KEY = "topology-secret-key-" + "t" * 32


@dataclass
class Process:
    """A long-running command on a host, in a process group of its own so that it dies whole."""

    host: Host
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.host.command(self.argv),
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL to the whole group: a host that dies, workers and all, with no goodbye."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Topology:
    folder: Path
    network: Network = field(default_factory=Network)
    processes: dict[str, Process] = field(default_factory=dict)
    postgres: Postgres | None = None
    redis: Redis | None = None
    smtp: MailServer | None = None
    cert: Path | None = None

    def host(self, name: str) -> Host:
        return self.network.hosts[name]

    @property
    def url(self) -> str:
        return f"https://{self.host('lb').address}"

    @property
    def uploads(self) -> Path:
        return self.folder / "uploads"

    def env(self) -> dict[str, str]:
        assert self.postgres and self.redis and self.smtp
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PORTAL_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": self.postgres.url,
            "RATELIMIT_STORAGE_URI": self.redis.url,
            "TRUSTED_PROXIES": "1",
            "TRUSTED_PROXY_ADDRESSES": self.host("lb").address,
            "MAIL_SERVER": self.smtp.host.address,
            "MAIL_PORT": str(self.smtp.port),
            "UPLOAD_FOLDER": str(self.uploads),
            "PUBLIC_BASE_URL": self.url,
            "WEB_CONCURRENCY": "2",
            # The surge comes from one address, the test's: its limits are not what is measured,
            # except the sign-in limits, which the test sets itself.
            "SUBMISSION_LIMIT_PER_ADDRESS": "100000 per hour",
            "PUBLIC_FORM_LIMIT_PER_ADDRESS": "1000000 per hour",
            "SIGN_IN_LIMIT_PER_ADDRESS": "1000 per 10 minutes",
        }

    def start(self) -> Topology:
        self.network.start(HOSTS)
        self.uploads.mkdir(parents=True)
        self.postgres = Postgres(self.host("data")).start()
        self.redis = Redis(self.host("data"), self.folder / "redis").start()
        self.smtp = MailServer(self.host("smtp"), self.folder / "smtp").start()
        self.flask("db", "upgrade")
        for name in ("app1", "app2"):
            self.start_app_host(name)
        for name in ("mail1", "mail2"):
            self.start_mail_worker(name)
        self._start_nginx()
        return self

    def flask(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """``flask --app wsgi ARGS`` as an administrator runs it, with the hosts' settings."""
        return subprocess.run(
            [FLASK, "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=self.env(), input=input, text=True,
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def start_app_host(self, name: str) -> None:
        host = self.host(name)
        argv = [GUNICORN, "--bind", f"{host.address}:{APP_PORT}", "wsgi:app"]
        self.processes[name] = Process(host, argv, self.env(), self.folder / f"{name}.log").start()
        self._wait_healthy(f"http://{host.address}:{APP_PORT}", name)

    def start_mail_worker(self, name: str) -> None:
        argv = [FLASK, "--app", "wsgi", "outbox", "work"]
        self.processes[name] = Process(self.host(name), argv, self.env(), self.folder / f"{name}.log").start()

    def _start_nginx(self) -> None:
        lb = self.host("lb")
        folder = self.folder / "nginx"
        folder.mkdir()
        self.cert, key, _spki = self_signed_certificate(folder, lb.address)
        upstreams = " ".join(f"server {self.host(n).address}:{APP_PORT};" for n in ("app1", "app2"))
        site = render(
            (PROJECT_ROOT / "deploy" / "nginx" / "do-it-online.conf").read_text(),
            {
                "UPSTREAM": upstreams,
                "SERVER_NAME": lb.address,
                "PUBLIC_HOST": lb.address,
                "HTTP_LISTEN": f"{lb.address}:80",
                "HTTPS_LISTEN": f"{lb.address}:{HTTPS_PORT}",
                "CERT": str(self.cert),
                "KEY": str(key),
                "ACME_ROOT": str(folder / "acme"),
                "ACCESS_LOG": str(folder / "access.log"),
                "PORTAL_ROOT": str(PROJECT_ROOT),
            },
        )
        (folder / "site.conf").write_text(site)
        (folder / "nginx.conf").write_text(nginx_main_conf(folder, folder / "site.conf"))
        argv = ["/usr/sbin/nginx", "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]
        self.processes["lb"] = Process(lb, argv, dict(os.environ), self.folder / "nginx.log").start()
        self._wait_healthy(self.url, "lb")

    def _wait_healthy(self, url: str, name: str) -> None:
        process = self.processes[name]
        assert process.popen is not None
        wait_until_healthy(url, process.popen, process.log, timeout=60, cafile=self.cert)

    def psql(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        assert self.postgres
        with psycopg.connect(self.postgres.url) as connection:
            return list(connection.execute(sql, params or None).fetchall())

    def close(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        for service in (self.smtp, self.redis, self.postgres):
            if service is not None:
                service.stop()
        self.network.close()
