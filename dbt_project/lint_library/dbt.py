"""Stand-ins for dbt's cross-database macros (``dbt.dateadd`` ...), for sqlfluff's jinja templater.

sqlfluff lints the SQL dbt would run on DuckDB; these render what dbt-duckdb renders, closely
enough to parse. dbt itself never reads this folder.
"""


def dateadd(datepart: str, interval: int, from_date_or_timestamp: str) -> str:
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def date_spine(datepart: str, start_date: str, end_date: str) -> str:
    return (
        f"select cast(range as date) as date_{datepart} "
        f"from range({start_date}, {end_date}, interval 1 {datepart})"
    )


def type_string() -> str:
    return "varchar"


def concat(fields: list[str]) -> str:
    return " || ".join(fields)


def last_day(date: str, datepart: str) -> str:
    return f"last_day({date})"


def bool_or(expression: str) -> str:
    return f"bool_or({expression})"


def hash(field: str) -> str:
    return f"md5(cast({field} as varchar))"
