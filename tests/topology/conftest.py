"""The topology test runs on its own (``make topology-test``): it builds a network of test hosts
and takes minutes, so ``make test`` leaves it out."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TOPOLOGY_TEST") == "1":
        return
    skip = pytest.mark.skip(reason="the topology test runs with make topology-test")
    for item in items:
        if "topology" in item.keywords:
            item.add_marker(skip)
