#!/usr/bin/env bash
# `make run`: Redis if needed, migrations, then daphne + ingest + agent + workers + beat.
set -euo pipefail
source "$(dirname "$0")/env.sh"
export PORT="${PORT:-8000}" HOST="${HOST:-127.0.0.1}"
python scripts/ensure_redis.py
python manage.py migrate --noinput
python manage.py collectstatic --noinput -v 0  # hashed, compressed copies (core/web/staticfiles.py)
if [ -n "${NETMON_ADMIN_PASSWORD:-}" ]; then
    python manage.py ensure_admin
    python manage.py default_rules admin
fi
# This machine's agent, with credentials of its own like any other (new ones each start),
# in a file only this user reads: a command line would show its password to every user.
AGENT_NAME="${AGENT_NAME:-$(hostname)}"
python manage.py agents add "$AGENT_NAME" --replace --env-file .run/agent.env
echo
echo "NetWorkMonitor is starting at http://${HOST}:${PORT}/"
if [ -n "${NETMON_ADMIN_PASSWORD:-}" ]; then
    echo "log in as 'admin' with NETMON_ADMIN_PASSWORD"
elif python manage.py shell -v 0 -c "from accounts.first_run import no_account_yet; raise SystemExit(0 if no_account_yet() else 1)" 2>/dev/null; then
    echo "no account yet: create the first administrator at http://${HOST}:${PORT}/setup/"
fi
echo
# honcho hands PORT to the first process (web) and PORT+100*n to the others.
exec honcho start -f Procfile -p "$PORT"
