"""The transformation on real moto export output and on hand-written incremental export lines."""

from __future__ import annotations

import ast
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest

import curation
from curation import Deleted, Malformed, Row, Skipped, Unknown
from exports import incremental_lines, moto_export_lines


def test_the_moto_export_yields_a_row_for_every_curated_entity_and_counts_the_rest(schema: curation.Schema) -> None:
    # Act
    curated = curation.curate(moto_export_lines(), schema)

    # Assess
    summary = curated.tally.summary()
    assert summary.pop("malformedExamples") == [
        "entityType is missing or not a string",
        "Product: a bigint column takes a number, got str",
    ]
    assert summary == {
        "lines": 14,
        "rows": {
            "customers": 1,
            "daily_product_sales": 1,
            "daily_sales": 1,
            "order_lines": 2,
            "orders": 2,
            "products": 2,
        },
        "deleted": {},
        "skipped": {"CartLine": 1, "EmailMarker": 1},
        "unknown": {"GiftCard": 1},
        "malformed": 2,
    }


def test_every_table_gets_exactly_its_columns_in_order_without_keys_or_personal_data(schema: curation.Schema) -> None:
    # Act
    curated = curation.curate(moto_export_lines(), schema)

    # Assess
    for table in schema.tables:
        for row in curated.rows[table.name]:
            assert list(row) == [column.name for column in table.columns]
    customer = curated.rows["customers"][0]
    assert customer == {
        "customer_id": "c-1",
        "marketing_opt_in": True,
        "order_count": 2,
        "lifetime_value_cents": 5000,
        "created_at": datetime(2026, 11, 1, 10, 0),
    }
    assert not {"email", "name", "PK", "SK", "GSI1PK", "entityType"} & set(customer)


def test_instants_become_utc_timestamps_days_become_dates_and_absent_optional_fields_null(
    schema: curation.Schema,
) -> None:
    # Act
    rows = curation.curate(moto_export_lines(), schema).rows

    # Assess
    orders = {row["order_id"]: row for row in rows["orders"]}
    assert orders["o-1"] == {
        "order_id": "o-1",
        "customer_id": "c-1",
        "status": "PAID",
        "placed_at": datetime(2026, 11, 1, 10, 0),
        "status_since": datetime(2026, 11, 1, 10, 1),
        "order_total_cents": 5000,
        "line_count": 1,
        "paid_at": datetime(2026, 11, 1, 10, 1),
        "shipped_at": None,
        "delivered_at": None,
        "cancelled_at": None,
    }
    assert orders["o-2"]["cancelled_at"] == datetime(2026, 11, 2, 8, 30)
    assert rows["daily_sales"] == [{"day": date(2026, 11, 1), "order_count": 1, "units_sold": 2, "revenue_cents": 5000}]


def test_the_unknown_entity_in_the_moto_export_carries_every_attribute_type_unmarshalled() -> None:
    # Prepare
    line = next(line for line in moto_export_lines() if '"GiftCard"' in line)

    # Act
    change = curation.parse_line(line)

    # Assess
    assert change.kind == "put"
    assert change.item == {
        "PK": "GIFTCARD#g-1",
        "SK": "GIFTCARD",
        "entityType": "GiftCard",
        "code": "GC-0001",
        "balanceCents": 5000,
        "rate": Decimal("12.5"),
        "artwork": bytes([0, 1, 2, 250]),
        "active": True,
        "note": None,
        "meta": {"issuedAt": "2026-11-01T10:00:00.000Z", "channel": "web"},
        "history": ["issued", 1, False],
        "tags": {"gift", "winter"},
        "amounts": {10, Decimal("20.5")},
        "blobs": {b"\x01", b"\x02\x03"},
    }


def test_incremental_lines_give_puts_deletions_skips_unknowns_and_malformed_lines(schema: curation.Schema) -> None:
    # Act
    curated = curation.curate(incremental_lines(), schema)

    # Assess
    summary = curated.tally.summary()
    del summary["malformedExamples"]
    assert summary == {
        "lines": 16,
        "rows": {
            "customers": 1,
            "daily_product_sales": 1,
            "daily_sales": 1,
            "order_lines": 1,
            "orders": 1,
            "products": 1,
        },
        "deleted": {"products": 1},
        "skipped": {"EmailMarker": 1},
        "unknown": {"(deletion without an old image)": 1, "Wishlist": 1},
        "malformed": 6,
    }
    assert curated.rows["orders"][0]["shipped_at"] == datetime(2026, 11, 2, 12, 0)
    assert curated.rows["products"][0]["price_cents"] == 1300


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"Keys": {"PK": {"S": "X"}}', "not JSON"),
        ("not json at all", "not JSON"),
        ('["a JSON array"]', "a line is a JSON object"),
        (
            '{"NewImage": {"entityType": {"S": "Order"}}}',
            "a line holds Item (full export) or Keys (incremental export)",
        ),
        ('{"Item": {"entityType": {"Q": "Order"}}}', "unknown attribute type 'Q'"),
        ('{"Item": {"entityType": {"S": "Order"}, "orderId": {"S": "o"}}}', "Order: customerId is required"),
        ('{"Item": {"entityType": {"N": "1"}}}', "entityType is missing or not a string"),
    ],
)
def test_a_malformed_line_is_an_outcome_with_its_reason_never_an_exception(
    schema: curation.Schema, line: str, reason: str
) -> None:
    # Act
    outcome = curation.classify(line, schema)

    # Assess
    assert isinstance(outcome, Malformed)
    assert outcome.reason.startswith(reason)


@pytest.mark.parametrize(
    ("value", "column_type", "expected"),
    [
        ("2026-11-01T10:00:00.000Z", "timestamp", datetime(2026, 11, 1, 10, 0)),
        ("2026-11-01T12:00:00+02:00", "timestamp", datetime(2026, 11, 1, 10, 0)),
        ("2026-11-01", "date", date(2026, 11, 1)),
        (Decimal("5"), "bigint", 5),
        (True, "boolean", True),
    ],
)
def test_column_values_are_converted_to_the_column_type(value: object, column_type: str, expected: object) -> None:
    column = curation.Column("c", "f", column_type, False, column_type)  # type: ignore[arg-type]
    assert curation.column_value(column, value) == expected


@pytest.mark.parametrize(
    ("value", "column_type"),
    [
        ("2026-11-01T10:00:00", "timestamp"),
        ("yesterday", "timestamp"),
        ("2026-13-01", "date"),
        (Decimal("5.5"), "bigint"),
        (True, "bigint"),
        (2**63, "bigint"),
        ("true", "boolean"),
        (5, "string"),
        (None, "string"),
    ],
)
def test_a_value_the_column_cannot_hold_is_malformed(value: object, column_type: str) -> None:
    column = curation.Column("c", "f", column_type, False, column_type)  # type: ignore[arg-type]
    with pytest.raises(curation.MalformedError):
        curation.column_value(column, value)


def test_an_incremental_export_moves_a_snapshot_forward_by_natural_key(schema: curation.Schema) -> None:
    # Prepare
    products = schema.table("products")
    previous = curation.curate(moto_export_lines(), schema).rows["products"]
    outcomes = [curation.classify(line, schema) for line in incremental_lines()]

    # Act
    merged = curation.merge_snapshot(previous, outcomes, products)

    # Assess: SKU-1 was deleted, SKU-2 repriced and restocked
    assert [(row["sku"], row["price_cents"], row["stock"]) for row in merged] == [("SKU-2", 1300, 40)]


def test_outcomes_are_counted_by_kind_and_name() -> None:
    assert curation.outcome_key(Row("orders", {})) == ("row", "orders")
    assert curation.outcome_key(Deleted("orders", ("o-1",))) == ("deleted", "orders")
    assert curation.outcome_key(Skipped("CartLine")) == ("skipped", "CartLine")
    assert curation.outcome_key(Unknown("Wishlist")) == ("unknown", "Wishlist")
    assert curation.outcome_key(Malformed("x")) == ("malformed", "")


def test_row_values_follow_the_column_order_and_only_for_their_table(schema: curation.Schema) -> None:
    table = schema.table("daily_sales")
    row = Row("daily_sales", {"day": date(2026, 11, 1), "order_count": 1, "units_sold": 2, "revenue_cents": 3})
    assert curation.row_values(row, table) == [(date(2026, 11, 1), 1, 2, 3)]
    assert curation.row_values(row, schema.table("orders")) == []
    assert curation.row_values(Skipped("CartLine"), table) == []


class TestSelectExportFiles:
    KEYS: ClassVar[list[str]] = [
        "exports/run=1/AWSDynamoDB/01700000000000-a1b2c3d4/manifest-summary.json",
        "exports/run=1/AWSDynamoDB/01700000000000-a1b2c3d4/data/one.json.gz",
        "exports/run=1/AWSDynamoDB/01700000000000-a1b2c3d4/data/two.json.gz",
    ]
    ARN = "arn:aws:dynamodb:eu-west-1:111111111111:table/T/export/01700000000000-a1b2c3d4"

    def test_the_export_named_by_the_arn_is_read(self) -> None:
        second = "exports/run=1/AWSDynamoDB/01700000009999-ffffffff/data/late.json.gz"
        assert curation.select_export_files([*self.KEYS, second], self.ARN) == self.KEYS[1:]

    def test_a_single_export_whose_id_does_not_match_the_arn_is_read_as_moto_writes_it(self) -> None:
        assert curation.select_export_files(self.KEYS, "arn:aws:dynamodb:x:1:table/T/import/other") == self.KEYS[1:]

    def test_two_exports_neither_named_by_the_arn_are_refused(self) -> None:
        second = "exports/run=1/AWSDynamoDB/other/data/late.json.gz"
        with pytest.raises(ValueError, match="cannot tell which export to read"):
            curation.select_export_files([*self.KEYS, second], "arn:aws:dynamodb:x:1:table/T/export/third")

    def test_no_export_is_refused(self) -> None:
        with pytest.raises(ValueError, match="exports found: none"):
            curation.select_export_files(["exports/run=1/_started"], self.ARN)


def test_a_partition_is_the_export_date_folder_and_its_catalogue_entry(schema: curation.Schema) -> None:
    # Prepare
    table = schema.table("daily_sales")

    # Act
    location = curation.partition_path("s3://lake/curated/", table.name, schema.partition_column, date(2026, 11, 2))
    partition = curation.partition_input(table, location, date(2026, 11, 2))

    # Assess
    assert location == "s3://lake/curated/daily_sales/export_date=2026-11-02/"
    assert partition["Values"] == ["2026-11-02"]
    assert partition["StorageDescriptor"]["Location"] == location
    assert partition["StorageDescriptor"]["Columns"] == [
        {"Name": "day", "Type": "date"},
        {"Name": "order_count", "Type": "bigint"},
        {"Name": "units_sold", "Type": "bigint"},
        {"Name": "revenue_cents", "Type": "bigint"},
    ]


def test_the_schema_document_places_every_entity_type_once(schema: curation.Schema) -> None:
    curated = [table.entity_type for table in schema.tables]
    assert len(set(curated)) == len(curated)
    assert not set(curated) & set(schema.skipped_entity_types)
    assert schema.partition_column == "export_date"
    for table in schema.tables:
        assert set(table.natural_key) <= {column.name for column in table.columns}


def test_a_document_that_is_not_the_generated_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"tables": [{"name": "t"}]}))
    with pytest.raises(curation.SchemaError):
        curation.load_schema(path)


def test_s3_urls_split_into_bucket_and_prefix() -> None:
    assert curation.split_s3_url("s3://lake/exports/run=1/") == ("lake", "exports/run=1/")
    with pytest.raises(ValueError):
        curation.split_s3_url("https://lake/exports")


def test_an_export_date_is_a_day() -> None:
    assert curation.parse_export_date("2026-11-02") == date(2026, 11, 2)
    with pytest.raises(ValueError, match="not YYYY-MM-DD"):
        curation.parse_export_date("2026-11-02T00:00:00Z")


def test_the_per_record_logic_imports_nothing_from_awsglue_or_spark() -> None:
    source = (Path(curation.__file__)).read_text(encoding="utf-8")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {(node.module or "").split(".")[0] for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"awsglue", "pyspark", "boto3"}
