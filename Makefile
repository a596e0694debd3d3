# The two commands: `make demo` runs the pipeline on the bundled sample, `make test` runs every test
# (`make check`, the fast tier, while working). They create .venv and install the project when
# needed, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Simply expanded (:=), so that $(call quoted,DAGSTER_HOME) below reads the path, not its formula.
ifndef DAGSTER_HOME
DAGSTER_HOME := $(CURDIR)/data/dagster_home
endif
export DAGSTER_HOME
DBT_TARGET_DIR ?= dbt_project/target

# A make variable's text as one single-quoted shell word, never expanded by make or split or
# globbed by the shell: paths reach recipes this way whatever they hold (spaces, quotes, $, *).
quoted = '$(subst ','\'',$(value $(1)))'
# Recipe lines that set the shell variable `data` to the pipeline's data directory
# (PIPELINE_DATA_DIR, default data, as orchestration/lib/settings.py reads it).
set_data_dir = data=$(call quoted,PIPELINE_DATA_DIR); data="$${data:-data}"
# A recipe's first line where a command needs what `make demo` makes: before the demo it says
# "run `make demo` first" in one line (orchestration/cli/require_data.py).
require_data = $(BIN)/python -m orchestration.cli.require_data

.PHONY: install lock demo test check lint bench ui serve bi spark-cluster freshness metrics docs clean destroy-lake retract repair compact

# Every install comes from a lock file in locks/ (`make lock` refreshes them), installed by uv:
# the same versions on every machine, in seconds. pip installs only uv itself.
UV_VERSION := 0.13.9
# The platform's certificate store, as pip uses: a machine behind a TLS-inspecting proxy trusts it.
UV := UV_SYSTEM_CERTS=1 $(BIN)/uv
uv_install = $(UV) pip install --quiet --python $(1)
$(INSTALLED): pyproject.toml locks/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(call uv_install,$(BIN)/python) -r locks/dev.txt
	$(call uv_install,$(BIN)/python) --no-deps -e .
	touch $@

install: $(INSTALLED)

# dbt-spark and pyspark, for the Spark targets (make test runs the engine parity test).
SPARK_INSTALLED := $(VENV)/.installed-spark
$(SPARK_INSTALLED): $(INSTALLED) locks/dev-spark.txt
	$(call uv_install,$(BIN)/python) -r locks/dev-spark.txt
	touch $@

# Resolve the locks again from pyproject.toml and bi/superset/requirements.txt, keeping each
# locked version that still fits; `make lock LOCK_ARGS=--upgrade` takes the newest that fit.
# The pipeline's locks agree on every package they share (dev.txt is resolved within dev-spark.txt).
lock_compile = UV_CUSTOM_COMPILE_COMMAND="make lock" $(UV) pip compile --quiet \
	--python-version 3.11 $(LOCK_ARGS)
lock: $(INSTALLED)
	$(lock_compile) pyproject.toml --extra dev --extra spark -o locks/dev-spark.txt
	$(lock_compile) pyproject.toml --extra dev -c locks/dev-spark.txt -o locks/dev.txt
	$(lock_compile) bi/superset/requirements.txt -o locks/superset.txt

# The dbt manifest Dagster loads its dbt assets from, one per engine (DBT_TARGET: duckdb, the
# default, spark or spark_thrift; docs/scale-out.md), as models are configured per engine:
# DuckDB's in dbt_project/target/, each Spark target's in dbt_project/target/<target>/.
DBT_TARGET ?= duckdb
export DBT_TARGET
# Checked as make reads this file, before anything is installed: a typo costs no install.
ifeq ($(filter $(DBT_TARGET),duckdb spark spark_thrift),)
$(error DBT_TARGET=$(DBT_TARGET) is not a target the pipeline builds with: use duckdb (the default), spark or spark_thrift (docs/scale-out.md))
endif
DBT_SOURCES := dbt_project/dbt_project.yml dbt_project/profiles.yml $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f)
MANIFEST := dbt_project/target$(if $(filter-out duckdb,$(DBT_TARGET)),/$(DBT_TARGET))/manifest.json
dbt_parse = cd dbt_project && DBT_TARGET=$(1) ../$(BIN)/dbt parse --profiles-dir . --quiet --target $(1) --target-path $(2)
dbt_project/target/manifest.json: $(INSTALLED) $(DBT_SOURCES)
	$(call dbt_parse,duckdb,target)
	touch $@
dbt_project/target/%/manifest.json: $(SPARK_INSTALLED) $(DBT_SOURCES)
	$(call dbt_parse,$*,target/$*)
	touch $@

# A standalone Spark cluster (master, worker, Thrift server) on 127.0.0.1 from the pyspark wheel,
# for DBT_TARGET=spark_thrift (docs/scale-out.md).
spark-cluster: $(SPARK_INSTALLED)
	$(BIN)/python -m orchestration.cli.spark_cluster

# The Spark manifest the parity test loads Dagster with.
SPARK_MANIFEST := dbt_project/target/spark/manifest.json

demo: $(MANIFEST)
	$(BIN)/python -m orchestration.cli.demo

# Take back a bad snapshot and rebuild the dates it covered (docs/operations.md):
#   make retract SNAPSHOT=<response_sha256> REASON="why"
retract: $(MANIFEST)
	$(BIN)/python -m orchestration.cli.retract $(call quoted,SNAPSHOT) --reason $(call quoted,REASON)

# Check the whole lake against what was recorded when each file was written, rewrite damaged
# files from the landing zone, rebuild a working warehouse that cannot be read, and publish.
repair: $(MANIFEST)
	$(BIN)/python -m orchestration.cli.repair

# Rewrite each date folder's snapshot files as one file, every row kept (docs/operations.md).
compact: $(MANIFEST)
	$(BIN)/python -m orchestration.cli.compact

# Debian's chromium, for the tests that open the report and the BI dashboard in a real browser.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	else echo "The browser tests need Debian's chromium: apt-get install chromium" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

# Tests run on one worker per core (pytest-xdist), each test file on one worker, so that a file's
# shared fixtures are built once: `make test TEST_WORKERS=0` runs them in this process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test: $(MANIFEST) $(SPARK_MANIFEST) lint $(CHROMIUM)
	$(PYTEST)

# The fast tier, while working: lint and every test but the spark, browser, service and slow
# tiers (pyproject.toml names them). `make test` runs everything.
FAST_TIER := not (spark or browser or service or slow)
check: $(MANIFEST) lint
	$(PYTEST) -m "$(FAST_TIER)"

# ruff and sqlfluff, as the git hooks in .pre-commit-config.yaml run them, over every tracked file.
lint: install
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# The benchmark (docs/performance.md): the bundled sample, about 10k, 1M and 10M raw rows, a
# year of daily exports compacted, then `make demo`. On Spark (docs/scale-out.md):
# DBT_TARGET=spark make bench BENCH_ARGS="--scales 10k 1M --skip-demo --skip-compaction
# --report docs/performance-spark.md" (compaction and the demo do not depend on the engine).
bench: $(MANIFEST)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Apache Superset in its own virtualenv: its pins (SQLAlchemy 1.4, Flask 3) conflict with ours.
SUPERSET_VENV := .venv-superset
SUPERSET_INSTALLED := $(SUPERSET_VENV)/.installed
$(SUPERSET_INSTALLED): $(INSTALLED) locks/superset.txt
	@echo "make bi: installing Apache Superset into $(SUPERSET_VENV) from locks/superset.txt (first start only)"
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(call uv_install,$(SUPERSET_VENV)/bin/python) -r locks/superset.txt
	touch $@

# The Superset dashboard on the published warehouse (docs/bi.md), on http://127.0.0.1:8088.
BI_PORT ?= 8088
# Before the demo it says so in one line, before installing anything.
bi: $(INSTALLED)
	@$(require_data) published "make bi"
	@$(MAKE) --no-print-directory -q $(SUPERSET_INSTALLED) || $(MAKE) --no-print-directory $(SUPERSET_INSTALLED)
	BI_PORT=$(BI_PORT) exec $(BIN)/python -m orchestration.cli.supervise \
		$(BIN)/python -m orchestration.cli.superset

# The Dagster UI on http://127.0.0.1:3000, showing the runs `make demo` recorded.
UI_PORT ?= 3000
ui: $(MANIFEST)
	@$(BIN)/python -m orchestration.cli.prepare_instance "make ui"
	@$(require_data) published "make ui" --notice
	$(BIN)/python -m orchestration.cli.supervise $(BIN)/dagster dev -h 127.0.0.1 -p $(UI_PORT)

# The pipeline as a service (docs/operations.md): dagster-daemon and dagster-webserver on a
# PostgreSQL instance (DAGSTER_POSTGRES_URL, or a local cluster under <data dir>/service), with
# the daily schedules on. The UI on http://$(SERVE_HOST):$(SERVE_PORT). Stops on Ctrl-C or SIGTERM.
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 3001
serve: $(MANIFEST)
	$(BIN)/python -m orchestration.cli.serve --host $(SERVE_HOST) --port $(SERVE_PORT)

# How late the lake's rankings are (dbt source freshness): an error when yesterday (UTC) is not
# in by 06:00 UTC. The bundled sample ends in May 2026, so on it this reports an error.
freshness: $(MANIFEST)
	@$(require_data) lake "make freshness"
	cd dbt_project && ../$(BIN)/dbt source freshness --profiles-dir .

# The semantic layer (MetricFlow) over the published warehouse, attached read-only
# (docs/analysts.md): make metrics ARGS="--metrics tokens,china_share --group-by metric_time__week --order metric_time__week"
metrics: $(MANIFEST)
	@$(require_data) published "make metrics"
	cd dbt_project && DBT_PROFILES_DIR=. DBT_TARGET=published ../$(BIN)/mf query $(ARGS)

# dbt's documentation site (models, columns, tests, lineage) on http://127.0.0.1:$(DOCS_PORT).
# The server runs under the supervisor (exec'd, so that make's SIGTERM reaches it), which stops
# it with everything it started: with SIGTERM, on which dbt's server ends quietly (on SIGINT it
# prints a KeyboardInterrupt traceback).
DOCS_PORT ?= 8080
docs: $(MANIFEST)
	@$(require_data) built "make docs"
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . && exec ../$(BIN)/python \
		-m orchestration.cli.supervise --stop-signal TERM ../$(BIN)/dbt docs serve --profiles-dir . \
		--host 127.0.0.1 --port $(DOCS_PORT)

# Removes each path given (shell words) that exists, printing it; nothing else.
remove_paths = removed=0; for path in $(1); do \
	if [ -e "$$path" ] || [ -L "$$path" ]; then printf 'removing %s\n' "$$path"; \
	rm -rf -- "$$path"; removed=$$((removed + 1)); fi; done; \
	[ "$$removed" -gt 0 ] || echo "nothing to remove"

# Derived files only, all rebuilt by the next run from the lake: the working and published
# warehouses, the exports, the report and dbt's target folder. The lake is kept: its landed
# responses and snapshots are the only copy of past figures (restatements cannot be fetched again).
clean:
	@$(set_data_dir); $(call remove_paths,"$$data/build" "$$data/warehouse.duckdb" \
		"$$data/exports" "$$data/reports" $(call quoted,DBT_TARGET_DIR))

# Deletes what cannot be fetched again; refuses unless CONFIRM=yes.
destroy-lake:
	@$(set_data_dir); home=$(call quoted,DAGSTER_HOME); \
	if [ $(call quoted,CONFIRM) != yes ]; then \
		printf '%s\n' "make destroy-lake deletes $$data/lake (every landed response, snapshot and" \
			"quarantined file: restated figures cannot be downloaded again) and $$home (the run" \
			"history)." "Run 'make destroy-lake CONFIRM=yes' to delete them."; \
		exit 2; \
	fi; \
	$(call remove_paths,"$$data/lake" "$$home")
