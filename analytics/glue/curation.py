"""Curate a DynamoDB table export into one table per entity: the per-record logic of the Glue job.

Plain, typed functions that import nothing from awsglue or Spark, so that pytest runs them on real
export files and hand-written lines, and the local path (`npm run analytics:local`) runs the same
code without Spark. The Glue job (curate_export.py) is a thin shell that maps them over the lines.

A line of a DynamoDB export in DynamoDB JSON is one of:

- full export: ``{"Item": {<attribute>: {<type>: <value>}, ...}}``;
- incremental export: ``{"Metadata": {"WriteTimeMicros": {"N": ...}}, "Keys": {...},
  "NewImage": {...}, "OldImage": {...}}``; ``NewImage`` is absent for a deletion, ``OldImage``
  unless the export's view type is NEW_AND_OLD_IMAGES.

Each line becomes one outcome: a row of a curated table, a deletion from one, an entity type that
is skipped on purpose, an entity type the model does not know, or a malformed line. None of them
fails the run; the counts say what happened.

The tables, their columns and the entity types they are made of come from
``analytics/curated-tables.json``, which ``npm run docs`` writes from the TypeScript model
(lambdas/model/curated-tables.ts).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

ColumnType = Literal["string", "bigint", "boolean", "timestamp", "date"]
COLUMN_TYPES: frozenset[str] = frozenset({"string", "bigint", "boolean", "timestamp", "date"})

# The entity type of every item, as lambdas/model/table-design.ts names it.
ENTITY_TYPE_ATTRIBUTE = "entityType"


@dataclass(frozen=True)
class Column:
    name: str
    field: str
    type: ColumnType
    nullable: bool
    glue_type: str


@dataclass(frozen=True)
class CuratedTable:
    name: str
    entity_type: str
    natural_key: tuple[str, ...]
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ArchiveTable:
    """The cart archive's JSON objects as a table: ``<prefix>/<partition column>=<day>/*.json``."""

    name: str
    prefix: str
    partition_column: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Schema:
    tables: tuple[CuratedTable, ...]
    partition_column: str
    skipped_entity_types: Mapping[str, str]
    archive: ArchiveTable

    def table_for(self, entity_type: str) -> CuratedTable | None:
        return next((t for t in self.tables if t.entity_type == entity_type), None)

    def table(self, name: str) -> CuratedTable:
        found = next((t for t in self.tables if t.name == name), None)
        if found is None:
            raise KeyError(f"no curated table {name!r}")
        return found


class SchemaError(ValueError):
    """The schema document is not what lambdas/model/curated-tables.ts generates."""


def load_schema(path: str | Path) -> Schema:
    """Read analytics/curated-tables.json (or the copy the Glue job gets as an extra file)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        tables = tuple(
            CuratedTable(
                name=str(table["name"]),
                entity_type=str(table["entityType"]),
                natural_key=tuple(str(k) for k in table["naturalKey"]),
                columns=tuple(_column(c) for c in table["columns"]),
            )
            for table in document["tables"]
        )
        archive = document["archive"]
        return Schema(
            tables=tables,
            partition_column=str(document["partitionColumn"]["name"]),
            skipped_entity_types=dict(document["skippedEntityTypes"]),
            archive=ArchiveTable(
                name=str(archive["name"]),
                prefix=str(archive["prefix"]),
                partition_column=str(archive["partitionColumn"]),
                columns=tuple(_column(c) for c in archive["columns"]),
            ),
        )
    except (KeyError, TypeError) as error:
        raise SchemaError(f"{path}: not a curated-tables document ({error!r})") from error


def _column(raw: Mapping[str, Any]) -> Column:
    column_type = str(raw["type"])
    if column_type not in COLUMN_TYPES:
        raise SchemaError(f"column {raw['name']!r}: unknown type {column_type!r}")
    return Column(
        name=str(raw["name"]),
        field=str(raw["field"]),
        type=column_type,  # type: ignore[arg-type]
        nullable=bool(raw["nullable"]),
        glue_type=str(raw["glueType"]),
    )


class MalformedError(ValueError):
    """A line or an attribute value that is not valid DynamoDB JSON, or an item a table cannot take."""


_INTEGER = re.compile(r"^-?\d+$")


def _number(text: Any) -> int | Decimal:
    if not isinstance(text, str):
        raise MalformedError(f"N must be a string, got {type(text).__name__}")
    if _INTEGER.match(text):
        return int(text)
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise MalformedError(f"N {text!r} is not a number") from error
    if not number.is_finite():
        raise MalformedError(f"N {text!r} is not a finite number")
    return number


def _binary(text: Any) -> bytes:
    if not isinstance(text, str):
        raise MalformedError(f"B must be a base64 string, got {type(text).__name__}")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise MalformedError(f"B {text[:20]!r} is not base64") from error


def _list_of(kind: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedError(f"{kind} must be a list, got {type(value).__name__}")
    return value


def unmarshal(value: Any) -> Any:
    """One DynamoDB JSON attribute value, e.g. ``{"N": "12"}``, as a Python value.

    N becomes an int when it is integral and a Decimal otherwise (never a float, which would
    round); B and BS become bytes; SS, NS and BS become sets; NULL becomes None.
    """
    if not isinstance(value, dict) or len(value) != 1:
        raise MalformedError(f"an attribute value has exactly one type key, got {value!r:.80}")
    ((kind, inner),) = value.items()
    if kind == "S":
        if not isinstance(inner, str):
            raise MalformedError(f"S must be a string, got {type(inner).__name__}")
        return inner
    if kind == "N":
        return _number(inner)
    if kind == "B":
        return _binary(inner)
    if kind == "BOOL":
        if not isinstance(inner, bool):
            raise MalformedError(f"BOOL must be true or false, got {inner!r}")
        return inner
    if kind == "NULL":
        if inner is not True:
            raise MalformedError(f"NULL must be true, got {inner!r}")
        return None
    if kind == "M":
        return unmarshal_image(inner)
    if kind == "L":
        return [unmarshal(v) for v in _list_of("L", inner)]
    if kind == "SS":
        return {unmarshal({"S": v}) for v in _list_of("SS", inner)}
    if kind == "NS":
        return {_number(v) for v in _list_of("NS", inner)}
    if kind == "BS":
        return {_binary(v) for v in _list_of("BS", inner)}
    raise MalformedError(f"unknown attribute type {kind!r}")


def unmarshal_image(image: Any) -> dict[str, Any]:
    """An item (or a map), attribute by attribute."""
    if not isinstance(image, dict):
        raise MalformedError(f"an item is an object, got {type(image).__name__}")
    return {str(name): unmarshal(value) for name, value in image.items()}


@dataclass(frozen=True)
class Change:
    """What one export line says about one item: it is (now) this, or it was deleted."""

    kind: Literal["put", "delete"]
    item: dict[str, Any]
    """The item for a put; for a deletion, its old image (or only its keys without one)."""


def parse_line(line: str) -> Change:
    """One line of a full or incremental export."""
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        raise MalformedError(f"not JSON: {error.msg}") from error
    if not isinstance(document, dict):
        raise MalformedError("a line is a JSON object")
    if "Item" in document:
        return Change("put", unmarshal_image(document["Item"]))
    if "Keys" in document:
        keys = unmarshal_image(document["Keys"])
        if "NewImage" in document:
            return Change("put", unmarshal_image(document["NewImage"]))
        if "OldImage" in document:
            return Change("delete", unmarshal_image(document["OldImage"]))
        return Change("delete", keys)
    raise MalformedError("a line holds Item (full export) or Keys (incremental export)")


def _instant(text: Any) -> datetime:
    if not isinstance(text, str):
        raise MalformedError(f"an instant is an ISO-8601 string, got {type(text).__name__}")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise MalformedError(f"{text!r} is not an ISO-8601 instant") from error
    if parsed.tzinfo is None:
        raise MalformedError(f"{text!r} has no time zone")
    return parsed.astimezone(UTC).replace(tzinfo=None)


def _day(text: Any) -> date:
    if not isinstance(text, str):
        raise MalformedError(f"a day is a YYYY-MM-DD string, got {type(text).__name__}")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise MalformedError(f"{text!r} is not a YYYY-MM-DD day") from error


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise MalformedError(f"a bigint column takes a number, got {type(value).__name__}")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise MalformedError(f"a bigint column takes a whole number, got {value}")
        value = int(value)
    if not -(2**63) <= value < 2**63:
        raise MalformedError(f"{value} does not fit a bigint")
    return int(value)


ColumnValue = str | int | bool | datetime | date | None


def column_value(column: Column, value: Any) -> ColumnValue:
    """An item attribute's value as the column holds it."""
    if value is None:
        if not column.nullable:
            raise MalformedError(f"{column.field} is required")
        return None
    if column.type == "string":
        if not isinstance(value, str):
            raise MalformedError(f"{column.field} must be a string, got {type(value).__name__}")
        return value
    if column.type == "bigint":
        return _integer(value)
    if column.type == "boolean":
        if not isinstance(value, bool):
            raise MalformedError(f"{column.field} must be a boolean, got {type(value).__name__}")
        return value
    if column.type == "timestamp":
        return _instant(value)
    return _day(value)


def row_of(item: Mapping[str, Any], table: CuratedTable) -> dict[str, ColumnValue]:
    """Flatten an item into the table's row: its columns in order, key and index attributes dropped."""
    return {column.name: column_value(column, item.get(column.field)) for column in table.columns}


@dataclass(frozen=True)
class Row:
    table: str
    values: dict[str, ColumnValue]


@dataclass(frozen=True)
class Deleted:
    table: str
    key: tuple[ColumnValue, ...]


@dataclass(frozen=True)
class Skipped:
    entity_type: str


@dataclass(frozen=True)
class Unknown:
    entity_type: str


@dataclass(frozen=True)
class Malformed:
    reason: str


Outcome = Row | Deleted | Skipped | Unknown | Malformed


def natural_key(values: Mapping[str, ColumnValue], table: CuratedTable) -> tuple[ColumnValue, ...]:
    return tuple(values[name] for name in table.natural_key)


def route(change: Change, schema: Schema) -> Outcome:
    """Which table a change belongs to, by the item's entity type, and what it does there."""
    entity_type = change.item.get(ENTITY_TYPE_ATTRIBUTE)
    if entity_type is None and change.kind == "delete":
        # A deletion exported without its old image (view type NEW_IMAGE): only the keys are known.
        return Unknown("(deletion without an old image)")
    if not isinstance(entity_type, str):
        return Malformed(f"{ENTITY_TYPE_ATTRIBUTE} is missing or not a string")
    if entity_type in schema.skipped_entity_types:
        return Skipped(entity_type)
    table = schema.table_for(entity_type)
    if table is None:
        return Unknown(entity_type)
    try:
        if change.kind == "delete":
            key_columns = [c for c in table.columns if c.name in table.natural_key]
            key = {c.name: column_value(c, change.item.get(c.field)) for c in key_columns}
            return Deleted(table.name, natural_key(key, table))
        return Row(table.name, row_of(change.item, table))
    except MalformedError as error:
        return Malformed(f"{entity_type}: {error}")


def classify(line: str, schema: Schema) -> Outcome:
    """One export line's outcome. Never raises for bad input: a bad line is Malformed."""
    try:
        change = parse_line(line)
    except MalformedError as error:
        return Malformed(str(error))
    return route(change, schema)


def outcome_key(outcome: Outcome) -> tuple[str, str]:
    """What to count an outcome as: ("row", table), ("skipped", entity type), ("malformed", "") ..."""
    if isinstance(outcome, Row):
        return ("row", outcome.table)
    if isinstance(outcome, Deleted):
        return ("deleted", outcome.table)
    if isinstance(outcome, Skipped):
        return ("skipped", outcome.entity_type)
    if isinstance(outcome, Unknown):
        return ("unknown", outcome.entity_type)
    return ("malformed", "")


def row_values(outcome: Outcome, table: CuratedTable) -> list[tuple[ColumnValue, ...]]:
    """The outcome as a tuple in the table's column order, if it is a row of that table (for Spark)."""
    if isinstance(outcome, Row) and outcome.table == table.name:
        return [tuple(outcome.values[column.name] for column in table.columns)]
    return []


@dataclass
class Tally:
    """Counts of a run: lines, and outcomes by kind."""

    lines: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    malformed: int = 0
    malformed_examples: list[str] = field(default_factory=list)

    def add_key(self, key: tuple[str, str], times: int = 1) -> None:
        kind, name = key
        self.lines += times
        if kind == "malformed":
            self.malformed += times
        else:
            getattr(self, {"row": "rows", "deleted": "deleted", "skipped": "skipped", "unknown": "unknown"}[kind])[
                name
            ] += times

    def add(self, outcome: Outcome) -> None:
        self.add_key(outcome_key(outcome))
        if isinstance(outcome, Malformed) and len(self.malformed_examples) < 5:
            self.malformed_examples.append(outcome.reason)

    def summary(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "rows": dict(sorted(self.rows.items())),
            "deleted": dict(sorted(self.deleted.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "unknown": dict(sorted(self.unknown.items())),
            "malformed": self.malformed,
            "malformedExamples": self.malformed_examples,
        }


@dataclass
class Curated:
    """Rows of every curated table, and the tally of the lines they came from."""

    rows: dict[str, list[dict[str, ColumnValue]]]
    tally: Tally


def curate(lines: Iterable[str], schema: Schema) -> Curated:
    """Every line of an export, in memory: the local path's and the tests' entry point."""
    rows: dict[str, list[dict[str, ColumnValue]]] = {table.name: [] for table in schema.tables}
    tally = Tally()
    for line in lines:
        if not line.strip():
            continue
        outcome = classify(line, schema)
        tally.add(outcome)
        if isinstance(outcome, Row):
            rows[outcome.table].append(outcome.values)
    return Curated(rows, tally)


def merge_snapshot(
    previous: Iterable[Mapping[str, ColumnValue]], outcomes: Iterable[Outcome], table: CuratedTable
) -> list[dict[str, ColumnValue]]:
    """A table's snapshot moved forward by an incremental export's outcomes, by natural key.

    Not used by the scheduled workflow, which exports in full (docs/analytics.md says why); it is
    what an incremental run would apply to the previous export date's rows.
    """
    merged = {natural_key(row, table): dict(row) for row in previous}
    for outcome in outcomes:
        if isinstance(outcome, Row) and outcome.table == table.name:
            merged[natural_key(outcome.values, table)] = outcome.values
        elif isinstance(outcome, Deleted) and outcome.table == table.name:
            merged.pop(outcome.key, None)
    return list(merged.values())


_EXPORT_DATA = re.compile(r"(?:^|/)AWSDynamoDB/(?P<id>[^/]+)/data/[^/]+$")


def select_export_files(keys: Iterable[str], export_arn: str | None) -> list[str]:
    """The data files of one export among the objects under the run's prefix.

    DynamoDB writes ``<prefix>/AWSDynamoDB/<export id>/data/*.json.gz``, the id being the last
    part of the export's ARN. A prefix normally holds one export; should a late retry have added a
    second, only the one the workflow described is read. An emulator whose ids do not match its
    ARNs (moto) is accepted when the prefix holds exactly one export.
    """
    by_export: dict[str, list[str]] = {}
    for key in keys:
        match = _EXPORT_DATA.search(key)
        if match is not None:
            by_export.setdefault(match.group("id"), []).append(key)
    wanted = export_arn.rsplit("/", 1)[-1] if export_arn else None
    if wanted is not None and wanted in by_export:
        return sorted(by_export[wanted])
    if len(by_export) == 1:
        return sorted(next(iter(by_export.values())))
    found = ", ".join(sorted(by_export)) or "none"
    raise ValueError(f"cannot tell which export to read: export id {wanted!r}, exports found: {found}")


def parse_export_date(text: str) -> date:
    """The run's export date, which names the partition it writes."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"export date {text!r} is not YYYY-MM-DD") from error


def partition_path(curated_root: str, table: str, partition_column: str, export_date: date) -> str:
    """Where one export date of a table lives: ``<root>/<table>/export_date=<day>/``."""
    return f"{curated_root.rstrip('/')}/{table}/{partition_column}={export_date.isoformat()}/"


def partition_input(table: CuratedTable, location: str, export_date: date) -> dict[str, Any]:
    """The Glue catalogue's PartitionInput for one export date of a Parquet table."""
    return {
        "Values": [export_date.isoformat()],
        "StorageDescriptor": {
            "Columns": [{"Name": c.name, "Type": c.glue_type} for c in table.columns],
            "Location": location,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
            "Compressed": True,
        },
    }


def split_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` as (bucket, prefix)."""
    match = re.match(r"^s3://([^/]+)/?(.*)$", url)
    if match is None:
        raise ValueError(f"{url!r} is not an s3:// URL")
    return match.group(1), match.group(2)
