"""A stand-in for dbt's ``adapter.dispatch``, for sqlfluff's jinja templater.

It returns the DuckDB rendering of the project's dispatched macros (their ``default__``
implementations in ``dbt_project/macros``), closely enough to parse. dbt never reads this folder.
"""

from collections.abc import Callable

DEFAULT_RENDERINGS: dict[str, Callable[..., str]] = {
    "utc_date": lambda column: f"cast(timezone('UTC', {column}) as date)",
    # A run without a window reads the source as it is.
    "rankings_daily_lake": lambda source_relation: str(source_relation),
}


def dispatch(macro_name: str, macro_namespace: str | None = None) -> Callable[..., str]:
    return DEFAULT_RENDERINGS[macro_name]
