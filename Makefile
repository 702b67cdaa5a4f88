# One command per job. `make test` sets everything up from a fresh clone, then lints and tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PARTS := -e common -e proto -e etl -e services/server -e services/catalog -e services/recommender -e gateway
STAMP := $(VENV)/.installed
TYPED := common/marquee_common etl/marquee_etl services/server/marquee_server services/catalog/marquee_catalog \
         services/recommender/marquee_recommender gateway/marquee_gateway
PARTS_FILES := requirements-dev.txt common/pyproject.toml proto/pyproject.toml etl/pyproject.toml \
               services/server/pyproject.toml services/catalog/pyproject.toml services/recommender/pyproject.toml \
               gateway/pyproject.toml

.PHONY: install proto lint test compose-test release releases promote rollback prune run run-catalog run-recommender bench clean

install: $(STAMP)

$(STAMP): $(PARTS_FILES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt $(PARTS)
	touch $(STAMP)

# Generated code is never edited by hand; it is rebuilt from proto/ by this one command.
proto: $(STAMP)
	$(PY) -m grpc_tools.protoc -I proto --python_out=proto --grpc_python_out=proto \
	    --plugin=protoc-gen-mypy=$(VENV)/bin/protoc-gen-mypy --mypy_out=proto \
	    --plugin=protoc-gen-mypy_grpc=$(VENV)/bin/protoc-gen-mypy_grpc --mypy_grpc_out=proto \
	    proto/marquee/v1/*.proto

lint: $(STAMP)
	$(VENV)/bin/buf lint proto
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(TYPED)

test: proto lint
	$(PY) -m pytest

# The compose file for real: installs Docker if missing, builds, runs, checks, cleans up (about 15 min).
compose-test: $(STAMP)
	$(PY) -m scripts.compose_test

# Build a release from the bundled sample (or MARQUEE_RAW_DIR) into var/data (or MARQUEE_DATA_DIR),
# gate it against the current one and promote it if it passes (exit 3 if not; FORCE=1 promotes anyway).
release: proto
	$(PY) -m marquee_etl $(if $(FORCE),--force)

# The releases in var/data (or MARQUEE_DATA_DIR): list, promote VERSION=..., rollback, prune KEEP=N.
releases: proto
	$(PY) -m marquee_etl releases list

promote: proto
	@test -n "$(VERSION)" || { echo "usage: make promote VERSION=<version> [FORCE=1]"; exit 2; }
	$(PY) -m marquee_etl releases promote $(VERSION) $(if $(FORCE),--force)

rollback: proto
	$(PY) -m marquee_etl releases rollback

prune: proto
	$(PY) -m marquee_etl releases prune $(if $(KEEP),--keep $(KEEP))

# The whole stack as processes on 127.0.0.1 (catalog, recommender, gateway); Ctrl-C stops it.
run: proto
	$(PY) scripts/run_stack.py

run-catalog: proto
	test -e $${MARQUEE_DATA_DIR:-var/data}/current || $(PY) -m marquee_etl
	$(PY) -m marquee_catalog

run-recommender: proto
	test -e $${MARQUEE_DATA_DIR:-var/data}/current || $(PY) -m marquee_etl
	$(PY) -m marquee_recommender

# Every benchmark, one after the other (about 40 min on an idle 2-core machine), each run even when one
# before it misses a target; fails if any did. bench/README.md has each one's command and figures.
BENCHES := bench_pipeline bench_report bench_catalog quality_recommender bench_popularity bench_viewers bench_recommender bench_gateway bench_release_swap \
           bench_overload bench_web
bench: proto
	status=0; for name in $(BENCHES); do $(PY) -m bench.$$name || status=1; done; exit $$status

clean:
	rm -rf $(VENV) var proto/marquee/v1/*_pb2*.py proto/marquee/v1/*_pb2*.pyi
