"""Test hosts on this one machine: a network namespace each, wired to one private switch.

Each host gets its own namespace (its own interfaces, loopback and ports), one end of a veth pair
whose other end is plugged into a bridge inside a switch namespace, and an address on the
topology's subnet. The machine itself joins the switch with one more veth pair, so the test can
reach its hosts; nothing is routed anywhere else. Where namespaces cannot be made (not root, no
``ip``), each host is a loopback address of its own instead (127.0.0.x), and ``Host.run`` runs
its commands directly.

Everything is made with a name of its own (``dio<id>-...``) and taken down by ``close``, even
after a failed run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field

SUBNET = "10.213.7"  # a /24 of the topology's own, on its own switch
MACHINE_ADDRESS = f"{SUBNET}.1"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def namespaces_available() -> bool:
    """Whether this machine lets the test make network namespaces."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    probe = f"dio{os.getpid()}-probe"
    try:
        _ip("netns", "add", probe)
    except subprocess.CalledProcessError:
        return False
    _ip("netns", "del", probe)
    return True


@dataclass(frozen=True)
class Host:
    name: str
    address: str
    netns: str | None  # None: a loopback address on the machine itself

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` as run on this host."""
        return ["ip", "netns", "exec", self.netns, *argv] if self.netns else argv


@dataclass
class Network:
    """The hosts of one topology, and what must be taken down after it."""

    hosts: dict[str, Host] = field(default_factory=dict)
    isolated: bool = False
    _tag: str = field(default_factory=lambda: f"dio{os.getpid() % 100000}")
    _namespaces: list[str] = field(default_factory=list)
    _links: list[str] = field(default_factory=list)

    @property
    def machine_address(self) -> str:
        """Where the hosts see the machine (the test) from."""
        return MACHINE_ADDRESS if self.isolated else "127.0.0.1"

    def start(self, names: list[str]) -> Network:
        self.isolated = namespaces_available()
        if not self.isolated:
            for number, name in enumerate(names, start=10):
                self.hosts[name] = Host(name, f"127.0.0.{number}", None)
            return self
        switch = f"{self._tag}-switch"
        self._add_namespace(switch)
        _ip("netns", "exec", switch, "ip", "link", "add", "br0", "type", "bridge")
        _ip("netns", "exec", switch, "ip", "link", "set", "br0", "up")
        # The machine's own port on the switch.
        machine, machine_peer = f"{self._tag}m", f"{self._tag}mb"
        _ip("link", "add", machine, "type", "veth", "peer", "name", machine_peer)
        self._links.append(machine)
        self._plug(machine_peer, switch)
        _ip("addr", "add", f"{MACHINE_ADDRESS}/24", "dev", machine)
        _ip("link", "set", machine, "up")
        for number, name in enumerate(names, start=10):
            netns = f"{self._tag}-{name}"
            self._add_namespace(netns)
            end, peer = f"{self._tag}h{number}", f"{self._tag}s{number}"
            _ip("link", "add", end, "type", "veth", "peer", "name", peer)
            _ip("link", "set", end, "netns", netns)
            self._plug(peer, switch)
            address = f"{SUBNET}.{number}"
            _ip("netns", "exec", netns, "ip", "addr", "add", f"{address}/24", "dev", end)
            _ip("netns", "exec", netns, "ip", "link", "set", end, "up")
            _ip("netns", "exec", netns, "ip", "link", "set", "lo", "up")
            self.hosts[name] = Host(name, address, netns)
        return self

    def _add_namespace(self, name: str) -> None:
        _ip("netns", "add", name)
        self._namespaces.append(name)
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")

    def _plug(self, link: str, switch: str) -> None:
        _ip("link", "set", link, "netns", switch)
        _ip("netns", "exec", switch, "ip", "link", "set", link, "master", "br0")
        _ip("netns", "exec", switch, "ip", "link", "set", link, "up")

    def close(self) -> None:
        for link in self._links:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        for netns in reversed(self._namespaces):
            subprocess.run(["ip", "netns", "del", netns], capture_output=True)
        self._links.clear()
        self._namespaces.clear()
