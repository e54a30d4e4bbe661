"""The analytics pipeline on this machine: curate an export folder into Parquet, print the reports.

`npm run analytics:local` writes a table's items in the DynamoDB export format and runs this with
the same transformation the Glue job runs (analytics/glue/curation.py), pyarrow in place of Spark
to write Parquet, and DuckDB in place of Athena to run the reports in analytics/reports/.

    python analytics/local/curate_local.py --export-dir .analytics/export --out .analytics \
        --export-date 2026-11-29 [--cart-archive DIR] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "glue"))

import curation  # noqa: E402

SCHEMA_FILE = ROOT / "curated-tables.json"
REPORTS_DIR = ROOT / "reports"

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    # UTC instants without a zone, as the Glue job writes them (TimestampNTZ).
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


def arrow_schema(table: curation.CuratedTable) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in table.columns])


def export_lines(export_dir: Path) -> Iterator[str]:
    """Every line of the one export under the folder, as DynamoDB lays it out."""
    keys = [str(p.relative_to(export_dir)) for p in sorted(export_dir.glob("AWSDynamoDB/*/data/*"))]
    for key in curation.select_export_files(keys, None):
        with gzip.open(export_dir / key, "rt", encoding="utf-8") as lines:
            yield from lines


def write_tables(
    curated: curation.Curated, schema: curation.Schema, curated_root: Path, export_date: date
) -> dict[str, Path]:
    """One Parquet file per table for the export date, replacing what an earlier run wrote there."""
    written = {}
    for table in schema.tables:
        folder = Path(curation.partition_path(str(curated_root), table.name, schema.partition_column, export_date))
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        path = folder / "part-00000.parquet"
        pq.write_table(pa.Table.from_pylist(curated.rows[table.name], schema=arrow_schema(table)), path)
        written[table.name] = path
    return written


def report_queries() -> dict[str, str]:
    """The report SQL files, by name (the file name without .sql)."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(REPORTS_DIR.glob("*.sql"))}


DUCKDB_TYPES = {"string": "VARCHAR", "bigint": "BIGINT", "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE"}


def connect(schema: curation.Schema, curated_root: Path, cart_archive: Path | None) -> duckdb.DuckDBPyConnection:
    """DuckDB with a view per curated table over its Parquet files, and one over the cart archive."""
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    for table in schema.tables:
        files = (curated_root / table.name).as_posix() + f"/{schema.partition_column}=*/*.parquet"
        db.execute(
            f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{files}', hive_partitioning = true, "
            f"hive_types = {{'{schema.partition_column}': DATE}})"
        )
    archive = schema.archive
    pattern = f"{archive.prefix}/{archive.partition_column}=*/*.json"
    if cart_archive is not None and any(cart_archive.glob(pattern)):
        # The archive's JSON has the entity's field names; the table has the columns' names.
        columns = ", ".join(f'"{c.field}" AS {c.name}' for c in archive.columns)
        types = ", ".join(f"'{c.field}': '{DUCKDB_TYPES[c.type]}'" for c in archive.columns)
        db.execute(
            f"CREATE VIEW {archive.name} AS SELECT {columns}, {archive.partition_column} "
            f"FROM read_json('{cart_archive.as_posix()}/{pattern}', hive_partitioning = true, "
            f"hive_types = {{'{archive.partition_column}': VARCHAR}}, columns = {{{types}}})"
        )
    else:
        nulls = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[c.type]}) AS {c.name}" for c in archive.columns)
        db.execute(
            f"CREATE VIEW {archive.name} AS SELECT {nulls}, CAST(NULL AS VARCHAR) AS {archive.partition_column} "
            "WHERE false"
        )
    return db


def run_reports(db: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    results = {}
    for name, sql in report_queries().items():
        cursor = db.execute(sql)
        names = [d[0] for d in cursor.description]
        results[name] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return results


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def render(name: str, rows: list[dict[str, Any]]) -> str:
    """A report as a text table, numbers right-aligned."""
    title = name.replace("_", " ").capitalize()
    if not rows:
        return f"{title}\n  (no rows)\n"
    headers = list(rows[0])
    cells = [[("" if row[h] is None else str(plain(row[h]))) for h in headers] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[h], (int, float)) or row[h] is None for row in rows) for h in headers]

    def line(values: Sequence[str]) -> str:
        return "  " + "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        )

    return "\n".join([title, line(headers), line(["-" * w for w in widths]), *map(line, cells)]) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--export-date", required=True)
    parser.add_argument("--cart-archive", type=Path)
    parser.add_argument("--json", action="store_true", help="print counts and reports as JSON")
    args = parser.parse_args(argv)

    schema = curation.load_schema(SCHEMA_FILE)
    export_date = curation.parse_export_date(args.export_date)
    curated = curation.curate(export_lines(args.export_dir), schema)
    curated_root = args.out / "curated"
    written = write_tables(curated, schema, curated_root, export_date)
    reports = run_reports(connect(schema, curated_root, args.cart_archive))

    if args.json:
        document = {
            "exportDate": export_date.isoformat(),
            "tally": curated.tally.summary(),
            "parquet": {name: str(path) for name, path in written.items()},
            "reports": {
                name: [{k: plain(v) for k, v in row.items()} for row in rows] for name, rows in reports.items()
            },
        }
        print(json.dumps(document, indent=2))
        return 0
    summary = curated.tally.summary()
    shown = os.path.relpath(curated_root)
    print(f"Curated {summary['lines']} lines of the export into {shown}/ (export date {export_date}):")
    for name, count in summary["rows"].items():
        print(f"  {name:<20} {count:>8} rows")
    print(f"  skipped on purpose   {sum(summary['skipped'].values()):>8} ({', '.join(summary['skipped']) or 'none'})")
    print(f"  unknown entity types {sum(summary['unknown'].values()):>8}")
    print(f"  malformed lines      {summary['malformed']:>8}")
    print()
    for name, rows in reports.items():
        print(render(name, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
