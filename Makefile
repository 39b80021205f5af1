# The two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv

.PHONY: run test lint docs bench bench-devices bench-checks bench-chat bench-alerts bench-history bench-recovery bench-soak bench-codecs bench-agents bench-agents-vm bench-status bench-pages bench-csv bench-ui bench-busy bench-events screenshots agent-wheel vendor venv bench-rollup bench-flows lab lab-down bench-discovery bench-probes bench-probe-datagrams bench-add-host bench-channel-servers

run: venv
	scripts/run.sh

test: venv
	scripts/test.sh

# The lab network (root): routers running FRR, switches, hosts, each in a network namespace (docs/features/lab.md).
lab:
	scripts/lab_packages.sh && python3 scripts/lab.py up

lab-down:
	python3 scripts/lab.py down

bench: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/stats_pipeline.py

# The live path over one Redis server, then two (CHANNEL_REDIS_URLS), each of its own: 2,000 dashboards
# (BENCH_CLIENTS) and a connect storm, with each server's CPU and subscriptions.
bench-channel-servers: venv
	source scripts/env.sh && python bench/channel_servers.py

# Time to recover from each fault (Redis, a web process, the database, beat, a checks worker, a notification worker,
# a Redis failover under Sentinel),
# 5 repetitions each (BENCH_REPETITIONS, BENCH_FAULTS to change).
bench-recovery: venv
	source scripts/env.sh && python scripts/ensure_postgres.py && python bench/recovery.py

# Everything at once for 10 minutes: 1,000 dashboards, 50 chat users, 2,000 checks every 30 s;
# latency per minute, loss, and every process's memory (BENCH_DASHBOARDS, BENCH_CHAT_USERS,
# BENCH_HOSTS, BENCH_WINDOW, BENCH_DATABASE=postgres to change).
bench-soak: venv
	source scripts/env.sh && python scripts/ensure_postgres.py && python bench/soak.py

# 2,000 monitored hosts for about 6 minutes (BENCH_HOSTS, BENCH_WARMUP, BENCH_WINDOW to change).
bench-checks: venv
	source scripts/env.sh && python scripts/ensure_redis.py && scripts/ensure_chromium.sh && python bench/checks_scale.py

# 1,000 simulated 48-port switches every 60 s, then 100 every 10 s, each for 5 minutes
# (BENCH_DEVICES, BENCH_FAST_DEVICES, BENCH_WINDOW to change).
bench-devices: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/snmp_devices.py

# The flow collector and nfdump's nfcapd on the same replayed NetFlow v5 and IPFIX (BENCH_FLOW_RECORDS).
bench-flows: venv
	source scripts/env.sh && python scripts/ensure_redis.py && \
	  { command -v nfcapd >/dev/null || python scripts/debian_packages.py nfdump "the flow benchmark compares with nfdump's nfcapd"; } && \
	  python bench/flows.py

# Discovery of 1,000 simulated devices from one seed; dependencies for 10,000 nodes and a root-cause
# decision for 1,000 DOWN results (BENCH_DEVICES, BENCH_NODES, BENCH_DOWN to change).
bench-discovery: venv
	source scripts/env.sh && python bench/discovery.py && python bench/dependencies.py

# The agent as a wheel, in dist/: `pip install dist/networkmonitor-*.whl` on any host gives `netmon-agent` and `netmon-probe`.
agent-wheel: venv
	rm -rf dist build && $(VENV)/bin/pip wheel --quiet --no-deps --wheel-dir dist . && rm -rf build *.egg-info
	@ls dist/*.whl

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

# The docs site (docs/, mkdocs.yml) into .run/site; --strict fails on a broken link or a missing page.
docs: venv
	source scripts/env.sh && NO_MKDOCS_2_WARNING=1 mkdocs build --strict

venv: $(VENV)/.installed

# Reinstalled only when the requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@# python-ldap is built against Debian's OpenLDAP and SASL headers.
	test -e /usr/include/ldap.h || $(PYTHON) scripts/debian_packages.py libldap2-dev "python-ldap builds against libldap-dev"
	test -e /usr/include/sasl/sasl.h || $(PYTHON) scripts/debian_packages.py libsasl2-dev "python-ldap builds against libsasl2-dev"
	PIP_ROOT_USER_ACTION=ignore $(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# 200 chat users in one room, one message per second each (BENCH_USERS, BENCH_SECONDS to change).
bench-chat: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/chat_room.py

# 1,000 rules against 50 hosts, and alert-to-browser latency.
bench-alerts: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/alerts.py

# 500 simulated agents into one ingest (history lag, loss), and the agent's CPU beside Glances and Netdata.
bench-agents: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/agents.py

# The same with history in a private VictoriaMetrics (HISTORY_URL): the ingest's CPU and the store's own.
bench-agents-vm: venv
	source scripts/env.sh && python scripts/ensure_redis.py && \
	  { [ -x /usr/bin/victoria-metrics ] || python scripts/debian_packages.py victoria-metrics "the agents benchmark writes history to VictoriaMetrics"; } && \
	  BENCH_STORE=victoria-metrics BENCH_INGESTS=$${BENCH_INGESTS:-1,2,3} BENCH_SECONDS=$${BENCH_SECONDS:-20} BENCH_CPU_SECONDS=0 python bench/agents.py

# One probe: 2,000 TCP checks every 30 s (lag, CPU), then an hour of buffered results caught up
bench-probes: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/probes.py

bench-probe-datagrams: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/probe_datagrams.py

# 10,000 readers of one status page, and a year of uptime as CSV.
bench-status: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/status_pages.py

# The dashboard page and its static files as sent, with 2,000 hosts.
bench-pages: venv
	source scripts/env.sh && python bench/page_weight.py

# The events receiver: syslog and traps per core beside rsyslogd and snmptrapd, datagram to browser,
# a 100,000-message storm from one device against another's latency (BENCH_COUNT, BENCH_STORM).
bench-events: venv
	source scripts/env.sh && python scripts/ensure_redis.py && nice -n 5 python bench/events.py

bench-csv: venv
	source scripts/env.sh && python scripts/ensure_redis.py && python bench/csv_import.py

# From an empty dashboard to a live UP host through the "Add host" dialog, in Chromium: clicks and seconds (BENCH_RUNS).
bench-add-host: venv
	source scripts/env.sh && python scripts/ensure_redis.py && scripts/ensure_chromium.sh && nice -n 5 python bench/add_host.py

# 200 agents and 2,000 hosts updating every second in Chromium: first render, script time, heap (BENCH_WINDOW s).
bench-ui: venv
	source scripts/env.sh && python scripts/ensure_redis.py && scripts/ensure_chromium.sh && python bench/dashboard_ui.py

# `make test` from a clean clone of this commit, BENCH_RUNS times (3), while BENCH_BURNERS processes (one a core)
# keep every core busy; BENCH_TEST_ARGS hands a subset to pytest (docs/benchmarks/busy-machine.md).
bench-busy: venv
	source scripts/env.sh && python bench/busy_machine.py

# The docs' screenshots (docs/images/) of the dashboard (both themes, Chinese), pages and a Chinese status page, from demo data.
screenshots: venv
	source scripts/env.sh && python scripts/ensure_redis.py && scripts/ensure_chromium.sh && \
	  (fc-list | grep -q WenQuanYi || python scripts/debian_packages.py fonts-wqy-microhei "Chinese text needs a CJK font") && \
	  python docs/screenshots.py

# 7 days of 1 Hz history for 10 hosts, replayed from a recording of this machine's agent,
# on SQLite, on PostgreSQL (POSTGRES_TEST_URL) and in a private VictoriaMetrics (HISTORY_URL).
bench-history: venv
	source scripts/env.sh && python scripts/ensure_postgres.py && \
	  { [ -x /usr/bin/victoria-metrics ] || python scripts/debian_packages.py victoria-metrics "the history benchmark times queries on VictoriaMetrics"; } && \
	  python bench/history.py sqlite && python bench/history.py postgres && python bench/history_store.py

# The minute rollup of 1,000 switches' 288,000 port series through a day's last hour (BENCH_DEVICES).
bench-rollup: venv
	source scripts/env.sh && python bench/port_rollup.py sqlite 72

# Compression candidates for history blocks on the same recording: bytes per value, speed.
bench-codecs: venv
	source scripts/env.sh && python bench/codecs.py

# Refresh the vendored front-end libraries from npm (their files are committed).
vendor:
	npm ci --no-audit --no-fund
	mkdir -p static/vendor/uplot
	cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css node_modules/uplot/LICENSE static/vendor/uplot/
	mkdir -p static/vendor/cytoscape  # the network map's graph and layout
	cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE static/vendor/cytoscape/
	mkdir -p static/vendor/axe-core  # accessibility checks in the browser tests; no page loads it
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/
	mkdir -p static/vendor/noto-sans-sc  # 简体中文 on the language switch, where no CJK font is installed
	cd node_modules/@fontsource/noto-sans-sc/files && for part in 117:简 118:体文 119:中; do \
	  ../../../../$(VENV)/bin/pyftsubset noto-sans-sc-$${part%%:*}-400-normal.woff2 --text="$${part#*:}" --flavor=woff2 \
	  --no-hinting --desubroutinize --output-file=../../../../static/vendor/noto-sans-sc/language-name-$${part%%:*}.woff2; done
	cp node_modules/@fontsource/noto-sans-sc/LICENSE static/vendor/noto-sans-sc/
