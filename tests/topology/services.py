"""The topology's own PostgreSQL, Redis and mail server, each on a test host of its own.

They are the topology's, not the machine's: PostgreSQL is a fresh cluster in a temporary folder
(so the test can restart it without touching anyone else's database), Redis keeps nothing on
disk, and the mail server writes what it receives to a maildir the test reads.
"""

from __future__ import annotations

import mailbox
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

import psycopg
import redis

from tests.topology.network import SUBNET, Host


def _postgres_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is missing: apt-get install postgresql")
    return found[-1]


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: its commands run as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *argv]


@dataclass
class Postgres:
    """A cluster of its own, in a folder of its own that the postgres user can reach."""

    host: Host
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dio-topology-pg-")))
    port: int = 5432

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{self.host.address}:{self.port}/portal"

    def start(self) -> Postgres:
        data, sockets = self.folder / "data", self.folder / "sockets"
        for path in (self.folder, data, sockets):
            path.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, "postgres")
        shutil.chown(data, "postgres")
        shutil.chown(sockets, "postgres")
        self.folder.chmod(0o755)
        initdb = [_postgres_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
        # The topology's own hosts, on its own subnet (or loopback), may connect.
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {SUBNET}.0/24 trust\nhost all all 127.0.0.0/8 trust\n")
        self._pg_ctl("start")
        try:
            with psycopg.connect(self.url.replace("/portal", "/postgres"), autocommit=True) as connection:
                connection.execute("CREATE DATABASE portal")
        except BaseException:
            self.stop()
            raise
        return self

    def _pg_ctl(self, action: str, *more: str) -> None:
        options = (
            f"-c listen_addresses={self.host.address} -c port={self.port} "
            f"-c unix_socket_directories={self.folder / 'sockets'} -c fsync=off -c max_connections=200"
        )
        command = [_postgres_bin("pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log")]
        subprocess.run(
            self.host.command(_as_postgres([*command, "-o", options, "-w", *more, action])),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def restart(self) -> float:
        """Restart the server, dropping every connection; how long it was away."""
        started = time.monotonic()
        self._pg_ctl("restart", "-m", "fast")
        return time.monotonic() - started

    def stop(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "fast")
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Redis:
    host: Host
    folder: Path
    port: int = 6379
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host.address}:{self.port}/0"

    def start(self) -> Redis:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.host.command(
                    [
                        "redis-server",
                        "--bind", self.host.address,
                        "--port", str(self.port),
                        "--save", "",
                        "--appendonly", "no",
                        "--protected-mode", "no",
                        "--dir", str(self.folder),
                    ]
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@dataclass
class MailServer:
    """aiosmtpd, writing each message it accepts to a maildir."""

    host: Host
    folder: Path
    port: int = 2525
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> MailServer:
        maildir = self.folder / "maildir"
        self.folder.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(str(maildir), create=True)
        with (self.folder / "smtp.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.host.command(
                    [
                        sys.executable, "-m", "aiosmtpd", "-n",
                        "-l", f"{self.host.address}:{self.port}",
                        "-c", "aiosmtpd.handlers.Mailbox", str(maildir),
                    ]
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        time.sleep(1)
        if self.process.poll() is not None:
            raise RuntimeError((self.folder / "smtp.log").read_text())
        return self

    def received(self) -> list[tuple[str, str]]:
        """Every message accepted so far: its recipient and its Message-ID."""
        return [
            (str(message["To"]).strip(), str(message["Message-ID"]).strip())
            for message in mailbox.Maildir(str(self.folder / "maildir"), create=False)
        ]

    def copies(self) -> Counter[str]:
        """How many times each Message-ID arrived."""
        return Counter(message_id for _to, message_id in self.received())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
