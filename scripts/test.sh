#!/usr/bin/env bash
# `make test`: lint, then the whole suite (unit, consumer, pipeline and browser tests).
set -euo pipefail
source "$(dirname "$0")/env.sh"
# Tests get their own channel and key namespace, so they can share a Redis with `make run`.
export REDIS_PREFIX="${REDIS_PREFIX:-netmon-test}"
# Pooled connections in consumer threads would keep the test database busy at teardown.
export DB_CONN_MAX_AGE=0
python scripts/ensure_redis.py
bash scripts/ensure_chromium.sh
ruff check .
ruff format --check .
exec python -m pytest "$@"
