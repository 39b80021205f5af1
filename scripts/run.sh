#!/usr/bin/env bash
# `make run`: Redis if needed, migrations, then daphne + ingest + agent + workers + beat.
set -euo pipefail
source "$(dirname "$0")/env.sh"
export PORT="${PORT:-8000}" HOST="${HOST:-127.0.0.1}"
python scripts/ensure_redis.py
# Their output goes to .run/logs/setup.log: the console keeps one line per process and the address.
mkdir -p .run/logs
SETUP_LOG=.run/logs/setup.log
: > "$SETUP_LOG"
echo "preparing the database and static files (log $SETUP_LOG)"
python manage.py migrate --noinput >> "$SETUP_LOG"
python manage.py collectstatic --noinput -v 0 >> "$SETUP_LOG"  # hashed, compressed copies (core/web/staticfiles.py)
if [ -n "${NETMON_ADMIN_PASSWORD:-}" ]; then
    python manage.py ensure_admin >> "$SETUP_LOG"
    python manage.py default_rules admin >> "$SETUP_LOG"
fi
# This machine's agent, with credentials of its own like any other (new ones each start),
# in a file only this user reads: a command line would show its password to every user.
AGENT_NAME="${AGENT_NAME:-$(hostname)}"
python manage.py agents add "$AGENT_NAME" --replace --env-file .run/agent.env >> "$SETUP_LOG"
URL="http://${HOST}:${PORT}/"
NOTE=""
if [ -n "${NETMON_ADMIN_PASSWORD:-}" ]; then
    NOTE="log in as 'admin' with NETMON_ADMIN_PASSWORD"
elif python manage.py shell -v 0 -c "from accounts.first_run import no_account_yet; raise SystemExit(0 if no_account_yet() else 1)" 2>/dev/null; then
    NOTE="no account yet: create the first administrator at ${URL}setup/"
fi
echo "starting the processes of the Procfile"
# honcho hands PORT to the first process (web) and PORT+100*n to the others; run_summary.py
# sends each process's output to .run/logs/<name>.log and prints the address last.
PYTHONUNBUFFERED=1 honcho start -f Procfile -p "$PORT" 2>&1 | python scripts/run_summary.py --url "$URL" --note "$NOTE"
