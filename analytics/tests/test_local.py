"""The local path: the moto export curated into Parquet on disk, read back, and reported on."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import curate_local
import curation
from exports import MOTO_EXPORT, moto_export_lines


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(MOTO_EXPORT, target)
    return target


def run(export_dir: Path, out: Path, export_date: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert (
        curate_local.main(["--export-dir", str(export_dir), "--out", str(out), "--export-date", export_date, "--json"])
        == 0
    )
    document: dict[str, object] = json.loads(capsys.readouterr().out)
    return document


def test_the_parquet_written_reads_back_with_pyarrow_as_the_rows_curated(
    schema: curation.Schema, export_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Act
    run(export_dir, tmp_path / "out", "2026-11-02", capsys)

    # Assess
    expected = curation.curate(moto_export_lines(), schema).rows
    for table in schema.tables:
        path = tmp_path / "out" / "curated" / table.name / "export_date=2026-11-02" / "part-00000.parquet"
        parquet = pq.read_table(path)
        assert parquet.schema.names == [column.name for column in table.columns]
        assert [not field.nullable for field in parquet.schema] == [not c.nullable for c in table.columns]
        assert parquet.to_pylist() == expected[table.name]


def test_duckdb_reads_the_partitioned_tables_with_their_export_date(
    export_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Act
    run(export_dir, tmp_path / "out", "2026-11-02", capsys)

    # Assess
    db = duckdb.connect()
    rows = db.execute(
        "SELECT order_id, status, placed_at, export_date FROM read_parquet(?, hive_partitioning = true, "
        "hive_types = {'export_date': DATE}) ORDER BY order_id",
        [str(tmp_path / "out" / "curated" / "orders" / "*" / "*.parquet")],
    ).fetchall()
    assert [(r[0], r[1], r[2].isoformat(), r[3]) for r in rows] == [
        ("o-1", "PAID", "2026-11-01T10:00:00", date(2026, 11, 2)),
        ("o-2", "CANCELLED", "2026-11-01T10:00:00", date(2026, 11, 2)),
    ]


def test_running_a_day_again_replaces_its_rows_and_other_days_stay(
    export_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Prepare
    out = tmp_path / "out"
    run(export_dir, out, "2026-11-01", capsys)
    run(export_dir, out, "2026-11-02", capsys)

    # Act
    document = run(export_dir, out, "2026-11-02", capsys)

    # Assess: two export dates, each one snapshot, and the reports read only the latest
    files = sorted(
        p.relative_to(out / "curated" / "orders").as_posix() for p in (out / "curated" / "orders").rglob("*")
    )
    assert files == [
        "export_date=2026-11-01",
        "export_date=2026-11-01/part-00000.parquet",
        "export_date=2026-11-02",
        "export_date=2026-11-02/part-00000.parquet",
    ]
    assert document["reports"]["revenue_by_day"] == [  # type: ignore[index]
        {"sales_day": "2026-11-01", "order_count": 1, "units_sold": 2, "revenue_cents": 5000}
    ]


def test_the_reports_of_the_moto_export(export_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Act
    reports = run(export_dir, tmp_path / "out", "2026-11-02", capsys)["reports"]

    # Assess: the cancelled order o-2 counts nowhere but in the funnel
    assert reports == {
        "abandoned_carts": [],
        "order_status_funnel": [
            {
                "placed": 2,
                "paid": 2,
                "shipped": 0,
                "delivered": 0,
                "cancelled": 1,
                "now_placed": 0,
                "now_paid": 1,
                "now_shipped": 0,
            }
        ],
        "revenue_by_day": [{"sales_day": "2026-11-01", "order_count": 1, "units_sold": 2, "revenue_cents": 5000}],
        "top_products": [
            {
                "sku": "SKU-1",
                "name": "Fountain pen",
                "category": "stationery",
                "units_sold": 2,
                "revenue_cents": 5000,
            }
        ],
    }


def test_abandoned_carts_come_from_the_cart_archive(
    export_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Prepare: two archived lines on one day, as the archiver writes them
    day = tmp_path / "archive" / "expired-carts" / "day=2026-11-03"
    day.mkdir(parents=True)
    for event, (customer, quantity) in enumerate([("c-1", 2), ("c-2", 1)]):
        body = {
            "customerId": customer,
            "sku": "SKU-1",
            "quantity": quantity,
            "unitPriceCents": 2500,
            "addedAt": "2026-11-01T10:00:00.000Z",
            "expiresAt": "2026-11-02T10:00:00.000Z",
            "deletedAt": "2026-11-03T01:00:00.000Z",
            "eventId": f"e-{event}",
        }
        (day / f"e-{event}.json").write_text(json.dumps(body))
    argv = ["--export-dir", str(export_dir), "--out", str(tmp_path / "out"), "--export-date", "2026-11-03"]

    # Act
    curate_local.main([*argv, "--cart-archive", str(tmp_path / "archive"), "--json"])

    # Assess
    reports = json.loads(capsys.readouterr().out)["reports"]
    assert reports["abandoned_carts"] == [
        {"expired_day": "2026-11-03", "cart_lines": 2, "customers": 2, "units": 3, "value_cents": 7500}
    ]


def test_the_text_output_names_the_counts_and_prints_each_report(
    export_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Act
    curate_local.main(["--export-dir", str(export_dir), "--out", str(tmp_path / "out"), "--export-date", "2026-11-02"])

    # Assess
    text = capsys.readouterr().out
    assert "Curated 14 lines" in text
    assert "malformed lines             2" in text
    for title in ["Revenue by day", "Top products", "Order status funnel", "Abandoned carts\n  (no rows)"]:
        assert title in text
