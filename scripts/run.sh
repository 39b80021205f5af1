#!/usr/bin/env bash
# `make run`: Redis if needed, migrations, then daphne + ingest + agent + workers + beat.
set -euo pipefail
source "$(dirname "$0")/env.sh"
export PORT="${PORT:-8000}" HOST="${HOST:-127.0.0.1}"
python scripts/ensure_redis.py
# Their output goes to .run/logs/setup.log: the console keeps one line per process and the address.
mkdir -p .run/logs
setup_log=.run/logs/setup.log
: > "$setup_log"
echo "preparing the database and static files (log $setup_log)"
python manage.py migrate --noinput >> "$setup_log"
python manage.py collectstatic --noinput -v 0 >> "$setup_log"  # hashed, compressed copies (core/web/staticfiles.py)
if [ -n "${NETMON_ADMIN_PASSWORD:-}" ]; then
    python manage.py ensure_admin >> "$setup_log"
    python manage.py default_rules admin >> "$setup_log"
fi
# This machine's agent, with credentials of its own like any other (new ones each start),
# in a file only this user reads: a command line would show its password to every user.
AGENT_NAME="${AGENT_NAME:-$(hostname)}"
python manage.py agents add "$AGENT_NAME" --replace --env-file .run/agent.env >> "$setup_log"
url="http://${HOST}:${PORT}/"
note=""
if [ -n "${NETMON_ADMIN_PASSWORD:-}" ]; then
    note="log in as 'admin' with NETMON_ADMIN_PASSWORD"
elif python manage.py shell -v 0 -c "from accounts.first_run import no_account_yet; raise SystemExit(0 if no_account_yet() else 1)" 2>/dev/null; then
    note="no account yet: create the first administrator at ${url}setup/"
fi
echo "starting the processes of the Procfile"
# honcho hands PORT to the first process (web) and PORT+100*n to the others; run_summary.py
# sends each process's output to .run/logs/<name>.log and prints the address last.
PYTHONUNBUFFERED=1 honcho start -f Procfile -p "$PORT" 2>&1 | python scripts/run_summary.py --url "$url" --note "$note"
