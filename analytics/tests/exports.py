"""The export files the tests read: moto_server's real output, and hand-written incremental lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import curation

ANALYTICS = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MOTO_EXPORT = FIXTURES / "moto-export"


def moto_export_lines() -> list[str]:
    """The lines moto_server exported for test/fixtures/analytics-export.ts's items."""
    keys = [str(p.relative_to(MOTO_EXPORT)) for p in MOTO_EXPORT.rglob("*") if p.is_file()]
    lines: list[str] = []
    for key in curation.select_export_files(keys, None):
        with gzip.open(MOTO_EXPORT / key, "rt", encoding="utf-8") as file:
            lines.extend(line for line in file if line.strip())
    return lines


def incremental_lines() -> list[str]:
    return (FIXTURES / "incremental-export.jsonl").read_text(encoding="utf-8").splitlines()
