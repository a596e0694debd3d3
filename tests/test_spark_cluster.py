"""A Spark cluster, run here: ``make spark-cluster`` starts a standalone master, a worker and a
Thrift server from the pyspark wheel, and ``warehouse_job`` builds through ``spark_thrift``
(dbt-spark over Thrift) to the warehouse DuckDB publishes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from orchestration.lib.settings import DataPaths
from tests.helpers import (
    assert_same_marts,
    data_dir,
    free_port,
    run_command,
    run_job_on_engine,
    start_make,
    stop_make_with_sigterm,
    user_environment,
    without_the_virtualenv,
)

# A standalone Spark cluster and its Thrift server.
pytestmark = [pytest.mark.spark, pytest.mark.service]


@pytest.fixture
def cluster_lake(clean_lake: Path, tmp_path: Path) -> DataPaths:
    """A copy of the sample lake, in a folder whose name has a space and a quote: the Thrift
    server's settings carry the path as text Spark parses."""
    folder = tmp_path / "cluster q'lake"
    shutil.copytree(clean_lake / "lake", folder / "lake")
    with data_dir(folder) as paths:
        return paths


def test_warehouse_job_builds_on_a_standalone_cluster_through_thrift(
    cluster_lake: DataPaths, published_sample: DataPaths
):
    thrift_port = str(free_port())
    environment = {
        **user_environment(),
        "PATH": without_the_virtualenv(os.environ["PATH"]),
        "PIPELINE_DATA_DIR": str(cluster_lake.data_dir),
        "SPARK_MASTER_PORT": str(free_port()),
        "SPARK_THRIFT_PORT": thrift_port,
    }
    parse = run_command(
        ["make", "dbt_project/target/spark_thrift/manifest.json", "DBT_TARGET=spark_thrift"],
        PATH=environment["PATH"],
    )
    assert parse.returncode == 0, parse.stderr
    cluster = start_make("spark-cluster", environment)
    try:
        for line in cluster.stdout:
            if line.startswith("Spark cluster: master spark://127.0.0.1:"):
                break
        else:
            pytest.fail(f"make spark-cluster ended ({cluster.wait()}) before the cluster was up")

        run_job_on_engine(
            cluster_lake, "spark_thrift", "warehouse_job", SPARK_THRIFT_PORT=thrift_port
        )
    finally:
        # SIGTERM to make alone, as `kill` sends it: the cluster stops with all it started.
        stop_make_with_sigterm(cluster, int(thrift_port))

    logs = cluster_lake.data_dir / "spark-cluster"
    # The Thrift server's application ran on the cluster: registered, an executor on the worker.
    assert "Registered app SparkSQL::127.0.0.1" in (logs / "master.log").read_text()
    assert "Asked to launch executor" in (logs / "worker.log").read_text()
    assert (cluster_lake.spark_warehouse_dir / "marts.db" / "mart_vendor_weekly").is_dir()
    assert_same_marts(cluster_lake.published_warehouse, published_sample.published_warehouse)
