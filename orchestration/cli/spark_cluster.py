"""``make spark-cluster``: a standalone Spark cluster on this machine, from the pyspark wheel.

A master, one worker and a Thrift server (HiveThriftServer2), all on 127.0.0.1, for the dbt
target ``spark_thrift`` (``DBT_TARGET=spark_thrift``; docs/scale-out.md). The Thrift server keeps
its tables under the same ``<data_dir>/build/spark-warehouse`` that publishing reads, and runs in
UTC. It runs until stopped (Ctrl-C or SIGTERM stops all three); logs go to
``<data_dir>/spark-cluster/``. A real cluster needs the lake and the warehouse folder on storage
every node reads (docs/scale-out.md).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyspark

from orchestration.cli.entry_point import run_entry_point
from orchestration.cli.supervise import stop_groups
from orchestration.lib.engines import java_system_property
from orchestration.lib.settings import SPARK_DRIVER_MEMORY, data_paths

SPARK_HOME = Path(pyspark.__file__).parent
HOST = "127.0.0.1"


def wait_for_port(
    port: int, processes: list[subprocess.Popen], stopping: threading.Event, seconds: float = 180
) -> None:
    """Wait until something listens on ``port`` (or a stop is asked); exit if a process of the
    cluster died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping.is_set():
        for process in processes:
            if process.poll() is not None:
                sys.exit(f"make spark-cluster: {process.args[1]} exited ({process.returncode})")
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        stopping.wait(1.0)
    if stopping.is_set():
        return
    sys.exit(f"make spark-cluster: nothing listens on {HOST}:{port} after {seconds:.0f}s")


def main() -> None:
    """Start the master, a worker and the Thrift server; stop them all on a signal."""
    paths = data_paths()
    logs = paths.data_dir / "spark-cluster"
    logs.mkdir(parents=True, exist_ok=True)
    master_port = int(os.environ.get("SPARK_MASTER_PORT", "7077"))
    thrift_port = int(os.environ.get("SPARK_THRIFT_PORT", "10000"))
    master = f"spark://{HOST}:{master_port}"
    environment = {**os.environ, "SPARK_HOME": str(SPARK_HOME), "SPARK_LOCAL_IP": HOST}
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    worker_memory = os.environ.get("SPARK_WORKER_MEMORY", "4g")
    commands = {
        "master": [
            spark_class, "org.apache.spark.deploy.master.Master",
            "--host", HOST, "--port", str(master_port), "--webui-port", "0",
        ],
        "worker": [
            spark_class, "org.apache.spark.deploy.worker.Worker", master,
            "--host", HOST, "--webui-port", "0",
            "--cores", os.environ.get("SPARK_WORKER_CORES", str(os.cpu_count() or 2)),
            "--memory", worker_memory,
        ],
        "thrift": [
            str(SPARK_HOME / "bin" / "spark-submit"),
            "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--master", master,
            # Spark's defaults (1g each) would leave most of the worker idle and the executor
            # collecting garbage: the executor takes the worker's memory.
            "--driver-memory", SPARK_DRIVER_MEMORY,
            "--executor-memory", worker_memory,
            "--conf", "spark.sql.session.timeZone=UTC",
            "--conf", "spark.ui.enabled=false",
            "--conf", f"spark.sql.warehouse.dir={paths.spark_warehouse_dir}",
            "--conf", "spark.driver.extraJavaOptions="
            + java_system_property("derby.system.home", paths.spark_metastore_dir),
            "--hiveconf", f"hive.server2.thrift.port={thrift_port}",
            "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
            "spark-internal",
        ],
    }  # fmt: skip
    processes: list[subprocess.Popen] = []
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        for name, command in commands.items():
            log = (logs / f"{name}.log").open("w")
            # Each in a process group of its own, stopped with what it started (the worker's
            # executors) by stop_groups.
            processes.append(
                subprocess.Popen(
                    command,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            if name == "master":
                wait_for_port(master_port, processes, stopping)
        wait_for_port(thrift_port, processes, stopping)
        if not stopping.is_set():
            print(
                f"Spark cluster: master {master}, Thrift server on {HOST}:{thrift_port} "
                f"(DBT_TARGET=spark_thrift SPARK_THRIFT_PORT={thrift_port}); logs in {logs}; "
                "Ctrl-C or SIGTERM stops it",
                flush=True,
            )
        while not stopping.wait(1.0):
            if any(process.poll() is not None for process in processes):
                sys.exit(
                    f"make spark-cluster: a process of the cluster exited; see the logs in {logs}"
                )
    finally:
        stop_groups(list(reversed(processes)))


if __name__ == "__main__":
    run_entry_point("make spark-cluster", main)
