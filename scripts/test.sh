#!/usr/bin/env bash
# `make test`: lint, the docs build, then the whole suite (unit, consumer, pipeline and browser tests)
# on SQLite, and again on PostgreSQL: the tests that reach the database, without the browser tests.
set -euo pipefail
source "$(dirname "$0")/env.sh"
# Tests get their own channel and key namespace, so they can share a Redis with `make run`.
export REDIS_PREFIX="${REDIS_PREFIX:-netmon-test}"
# Pooled connections in consumer threads would keep the test database busy at teardown.
export DB_CONN_MAX_AGE=0
POSTGRES_TEST_URL="${POSTGRES_TEST_URL:-postgres://postgres@127.0.0.1:5432/netmon}"
export POSTGRES_TEST_URL
python scripts/ensure_redis.py
python scripts/ensure_postgres.py
bash scripts/ensure_chromium.sh
# Real SNMP agents for the device tests: Debian's snmpd, and snmpsim serving recorded devices.
command -v snmpd >/dev/null || [ -x /usr/sbin/snmpd ] || python scripts/debian_packages.py snmpd "the SNMP tests need Debian's snmpd"
# History in an external store: Debian's VictoriaMetrics (with vmagent and vmauth), started by the tests.
[ -x /usr/bin/victoria-metrics ] || python scripts/debian_packages.py victoria-metrics "the history store tests need Debian's victoria-metrics"
command -v snmpsimd >/dev/null || python scripts/debian_packages.py snmpsim "the SNMP tests need Debian's snmpsim"
# Real senders and neighbours of the events receiver: net-snmp's snmptrap/snmpinform, snmptrapd
# and rsyslogd (the benchmark's references, and rsyslog forwarding), util-linux logger.
command -v snmptrap >/dev/null || python scripts/debian_packages.py snmp "the events tests send traps with net-snmp's snmptrap"
command -v snmptrapd >/dev/null || [ -x /usr/sbin/snmptrapd ] || python scripts/debian_packages.py snmptrapd "the events benchmark compares with snmptrapd"
command -v rsyslogd >/dev/null || [ -x /usr/sbin/rsyslogd ] || python scripts/debian_packages.py rsyslog "the events tests forward syslog through rsyslogd"
command -v logger >/dev/null || python scripts/debian_packages.py bsdutils "the events tests send syslog with util-linux logger"
# The base SMI modules (SNMPv2-SMI, -TC, -CONF) pysmi reads when it compiles an uploaded vendor MIB.
ls -d /usr/lib/erlang/lib/snmp-*/mibs >/dev/null 2>&1 || python scripts/debian_packages.py erlang-snmp "the vendor MIB test compiles against the SMI modules erlang-snmp ships"
# Real flow exporters for the flow tests: softflowd (NetFlow, IPFIX) and pmacct's pmacctd (sFlow).
command -v softflowd >/dev/null || [ -x /usr/sbin/softflowd ] || python scripts/debian_packages.py softflowd "the flow tests need Debian's softflowd"
command -v pmacctd >/dev/null || [ -x /usr/sbin/pmacctd ] || python scripts/debian_packages.py pmacct "the flow tests need Debian's pmacct"
# The topology test puts a firewall (nftables) between the parts' network namespaces.
command -v nft >/dev/null || [ -x /usr/sbin/nft ] || python scripts/debian_packages.py nftables "the topology test needs nftables"
# The lab network's daemons (tests/lab/): FRR and its SNMP modules, lldpd.
[ "$(id -u)" != 0 ] || bash scripts/lab_packages.sh
# The directory sign-in tests run Debian's OpenLDAP server and load it with ldap-utils.
command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || python scripts/debian_packages.py slapd "the LDAP sign-in tests need Debian's slapd"
command -v ldapadd >/dev/null || python scripts/debian_packages.py ldap-utils "the LDAP sign-in tests load entries with ldap-utils"
# The OpenID Connect sign-in test runs a real provider: node's oidc-provider (package.json devDependencies).
[ -d node_modules/oidc-provider ] || npm ci --no-audit --no-fund
# makemessages (GNU gettext) checks that the translation catalogues hold every marked string.
command -v xgettext >/dev/null || python scripts/debian_packages.py gettext "the translation tests need GNU gettext"
ruff check .
ruff format --check .
lint-imports  # the layering contracts in pyproject.toml
echo "== the docs site"
# --strict: a broken link, a missing page or a page left out of the nav fails the run (not with
# --quiet, which hides the warnings --strict counts).
NO_MKDOCS_2_WARNING=1 mkdocs build --strict
echo "== the suite on SQLite"
env -u DATABASE_URL python -m pytest "$@"  # the SQLite default
echo "== the suite on PostgreSQL ($POSTGRES_TEST_URL): the tests that reach the database, without the browser tests"
# What Chromium draws does not depend on the database engine, and every route is requested here by
# tests/security/test_access_matrix.py and the view tests; the browser tests take 5 to 6 minutes a pass.
# A test with no database fixture or marker cannot open a connection (pytest-django refuses it), so
# the engine cannot change its outcome: --database-tests-only (tests/conftest.py) leaves those out.
DATABASE_URL="$POSTGRES_TEST_URL" python -m pytest -m "not browser" --database-tests-only "$@"
