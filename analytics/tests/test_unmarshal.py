"""Every DynamoDB attribute type, and what is not one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from curation import MalformedError, unmarshal, unmarshal_image


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"S": "text"}, "text"),
        ({"S": ""}, ""),
        ({"N": "42"}, 42),
        ({"N": "-7"}, -7),
        ({"N": "12.50"}, Decimal("12.50")),
        ({"N": "1E+3"}, Decimal("1E+3")),
        ({"N": "123456789012345678901234567890"}, 123456789012345678901234567890),
        ({"B": "AAEC+g=="}, bytes([0, 1, 2, 250])),
        ({"BOOL": True}, True),
        ({"BOOL": False}, False),
        ({"NULL": True}, None),
        ({"M": {"a": {"S": "x"}, "b": {"M": {"c": {"N": "1"}}}}}, {"a": "x", "b": {"c": 1}}),
        ({"L": [{"S": "x"}, {"N": "1"}, {"L": []}]}, ["x", 1, []]),
        ({"SS": ["a", "b"]}, {"a", "b"}),
        ({"NS": ["1", "2.5"]}, {1, Decimal("2.5")}),
        ({"BS": ["AQ==", "AgM="]}, {b"\x01", b"\x02\x03"}),
    ],
)
def test_each_attribute_type_becomes_its_python_value(value: dict[str, Any], expected: Any) -> None:
    # Act
    result = unmarshal(value)

    # Assess
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "value",
    [
        {"Q": "x"},
        {"S": 1},
        {"N": "abc"},
        {"N": "NaN"},
        {"N": 12},
        {"B": "not base64!"},
        {"BOOL": "true"},
        {"NULL": False},
        {"S": "a", "N": "1"},
        {},
        "S",
        {"L": {"S": "x"}},
        {"SS": "a"},
    ],
)
def test_a_value_that_is_not_dynamodb_json_is_refused(value: Any) -> None:
    with pytest.raises(MalformedError):
        unmarshal(value)


def test_an_item_is_unmarshalled_attribute_by_attribute() -> None:
    assert unmarshal_image({"PK": {"S": "P"}, "n": {"N": "1"}}) == {"PK": "P", "n": 1}
    with pytest.raises(MalformedError):
        unmarshal_image([{"S": "x"}])
