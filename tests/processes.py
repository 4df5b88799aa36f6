"""The portal's own processes, started as a deployment starts them: ``flask outbox work`` and others."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from portal.config import PROJECT_ROOT

FLASK = str(Path(sys.executable).with_name("flask"))


def portal_env(settings: dict[str, Any], **more: str) -> dict[str, str]:
    """The environment a portal process gets: the machine's, then the suite's settings."""
    return {**os.environ, **{k: str(v) for k, v in settings.items()}, **more}


def start_mail_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``flask --app wsgi outbox work``, its output in ``log``."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [FLASK, "--app", "wsgi", "outbox", "work"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM, as systemd stops a service; SIGKILL only if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@contextmanager
def mail_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = start_mail_worker(env, log)
    try:
        yield process
    finally:
        stop(process)


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy, or give up and return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
