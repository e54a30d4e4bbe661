"""AWS Glue 5.0 (Spark 3.5) job: curate one DynamoDB table export into the lake's Parquet tables.

A thin shell: it lists the run's export files, maps curation.classify over their lines with Spark,
writes each curated table's rows for the export date, replacing what an earlier run of that date
wrote, and registers the partition in the Glue catalogue. Every decision about a line is in
curation.py, which pytest tests without Spark (analytics/tests/).

Arguments (the workflow passes the first three per run, the job's defaults the rest):
  --export_prefix  s3://<lake>/exports/<run>/   where this run's export was written
  --export_arn     the export's ARN, whose id names its folder under the prefix
  --export_date    YYYY-MM-DD: the partition this run writes
  --curated_root   s3://<lake>/curated/
  --database       the Glue database of the curated tables
  --schema_file    curated-tables.json, shipped with --extra-files
"""

from __future__ import annotations

import json
import sys
from typing import Any

import boto3
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
)

import curation

ARGUMENTS = ["export_prefix", "export_arn", "export_date", "curated_root", "database", "schema_file"]

SPARK_TYPES: dict[str, DataType] = {
    "string": StringType(),
    "bigint": LongType(),
    "boolean": BooleanType(),
    # Instants are UTC; without a zone, no engine shifts them to its session's time zone.
    "timestamp": TimestampNTZType(),
    "date": DateType(),
}


def spark_schema(table: curation.CuratedTable) -> StructType:
    return StructType([StructField(c.name, SPARK_TYPES[c.type], c.nullable) for c in table.columns])


def export_keys(bucket: str, prefix: str) -> list[str]:
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def register_partition(database: str, table: curation.CuratedTable, partition: dict[str, Any]) -> None:
    """Add the partition; one that a previous run of the same date added already is left as it is."""
    response = boto3.client("glue").batch_create_partition(
        DatabaseName=database, TableName=table.name, PartitionInputList=[partition]
    )
    errors = [e for e in response.get("Errors", []) if e["ErrorDetail"]["ErrorCode"] != "AlreadyExistsException"]
    if errors:
        raise RuntimeError(f"registering {table.name} {partition['Values']}: {errors}")


def main() -> None:
    args = getResolvedOptions(sys.argv, ARGUMENTS)
    schema = curation.load_schema(args["schema_file"])
    export_date = curation.parse_export_date(args["export_date"])
    bucket, prefix = curation.split_s3_url(args["export_prefix"])
    files = curation.select_export_files(export_keys(bucket, prefix), args["export_arn"])

    spark = (
        SparkSession.builder.config("spark.sql.session.timeZone", "UTC")
        # No _SUCCESS marker: Redshift's COPY reads every object under a partition's prefix.
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .getOrCreate()
    )
    lines = spark.sparkContext.textFile(",".join(f"s3://{bucket}/{key}" for key in files))
    outcomes = lines.filter(lambda line: line.strip() != "").map(lambda line: curation.classify(line, schema)).cache()

    tally = curation.Tally()
    for key, times in outcomes.map(curation.outcome_key).countByValue().items():
        tally.add_key(key, times)
    tally.malformed_examples = [o.reason for o in outcomes.filter(lambda o: isinstance(o, curation.Malformed)).take(5)]

    for table in schema.tables:
        location = curation.partition_path(args["curated_root"], table.name, schema.partition_column, export_date)
        rows = outcomes.flatMap(lambda outcome, t=table: curation.row_values(outcome, t))
        # Overwrite: the export date's folder is emptied and written again, so a re-run of the same
        # day replaces its rows instead of adding to them.
        spark.createDataFrame(rows, spark_schema(table)).write.mode("overwrite").parquet(location)
        register_partition(args["database"], table, curation.partition_input(table, location, export_date))

    print(json.dumps({"exportDate": export_date.isoformat(), "files": len(files), **tally.summary()}))


if __name__ == "__main__":
    main()
