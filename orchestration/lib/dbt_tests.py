"""What dbt's own generic tests assert, in words: their macros carry no description.

Each has two wordings: what one test asserts about its column and arguments (an asset check's
description in Dagster), and what the kind of test asserts (``make demo`` groups checks by kind).
The project's own generic tests carry their descriptions in their YAML.
"""

from typing import NamedTuple


class BuiltInTest(NamedTuple):
    """The wordings of one of dbt's generic tests."""

    per_column: str  # formatted with column_name and the test's arguments
    per_kind: str


BUILT_IN_TESTS = {
    "not_null": BuiltInTest("`{column_name}` is never null.", "No value is missing."),
    "unique": BuiltInTest("`{column_name}` holds no value twice.", "No value occurs twice."),
    "accepted_values": BuiltInTest(
        "`{column_name}` holds only the accepted values: {values}.",
        "Only the listed values occur.",
    ),
    "relationships": BuiltInTest(
        "Every `{column_name}` is a `{field}` of {to}.",
        "Every key is found in the table it refers to.",
    ),
}
