# Sourced by run.sh and test.sh: the local defaults `make run` and `make test` share.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# .run/ holds the database (sessions, notification URLs), keys and the local agent's
# credentials: what is made here and by the processes started from here is this user's alone.
umask 077
mkdir -p .run/staticfiles
chmod 700 .run
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if [ -z "${SECRET_KEY:-}" ]; then
    # A key of this checkout's own, made once; production sets SECRET_KEY itself.
    [ -s .run/secret_key ] || (umask 077 && python3 -c "import secrets; print(secrets.token_urlsafe(50))" > .run/secret_key)
    SECRET_KEY="$(cat .run/secret_key)"
    export SECRET_KEY
fi
export PATH="$PWD/.venv/bin:$PATH"
