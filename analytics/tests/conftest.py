"""The schema every test reads: the one the TypeScript model generates."""

from __future__ import annotations

import pytest

import curation
from exports import ANALYTICS


@pytest.fixture(scope="session")
def schema() -> curation.Schema:
    return curation.load_schema(ANALYTICS / "curated-tables.json")
