"""A throwaway local Spark session with the pipeline's settings, for the Spark timing scripts."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pyspark.sql import SparkSession

from orchestration.lib.engines import java_system_property
from orchestration.lib.settings import SPARK_DRIVER_MEMORY


@contextmanager
def local_spark_session(
    prefix: str, settings: Mapping[str, str] | None = None
) -> Iterator[SparkSession]:
    """A ``local[*]`` session as the ``spark`` target runs (UTC, Hive support, a Derby
    metastore), plus ``settings``; its warehouse and metastore live in a scratch folder removed
    when the block ends."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    builder = (
        SparkSession.builder.master("local[*]")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", SPARK_DRIVER_MEMORY)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config(
            "spark.driver.extraJavaOptions",
            java_system_property("derby.system.home", scratch / "metastore"),
        )
    )
    for key, value in (settings or {}).items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()
        shutil.rmtree(scratch)
