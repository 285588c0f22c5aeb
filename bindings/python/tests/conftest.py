"""Shared fixtures: where the conformance vectors are, and a check that the wheel is tested."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
VECTORS = Path(os.environ.get("STEPSTONE_VECTORS", ROOT / "core" / "tests" / "vectors"))

# Lines a test wants shown after the run (e.g. how many vectors a runner checked).
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in SUMMARY:
        terminalreporter.write_line(line)


def load_vectors(name: str) -> dict[str, Any]:
    doc = json.loads((VECTORS / name).read_text())
    assert doc["format"] == 1
    names = [v["name"] for v in doc["vectors"]]
    assert len(names) == len(set(names)), f"{name}: names must be unique"
    return doc


@pytest.fixture(scope="session")
def figure1() -> Any:
    import stepstone

    return stepstone.Catalog(ROOT / "examples" / "catalog.json")
