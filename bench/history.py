"""History at scale: 7 days of recorded values for 10 hosts, range queries, ingest rate, bytes on disk.

    python bench/history.py sqlite       # a throwaway SQLite file
    python bench/history.py postgres     # a fresh database on POSTGRES_TEST_URL's server

The values are real: this machine's agent frames and a TCP check's latency, recorded
once a second (bench/record_history.py, bench/data/recording.jsonl.gz), replayed for
each host from an offset of its own. Steps: (1) fill 7 days, less the last
BENCH_INGEST_S seconds, with hour blocks as compaction leaves them; (2) the real
rollup task over all of it, timed (the week's rollup); (3) ingest the last
BENCH_INGEST_S seconds through the ingest's own write path, one write per
BENCH_FLUSH_S seconds of all hosts' frames as the intake makes them, with the rollup
task every minute as beat runs it (ingest time excludes the rollups); (4) range queries through the full Django stack
(token auth, DRF, JSON), timed in-process; (5) table sizes per value and point.
"""

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment

HOSTS = int(os.environ.get("BENCH_HOSTS", 10))
DAYS = int(os.environ.get("BENCH_DAYS", 7))
INGEST_SECONDS = int(os.environ.get("BENCH_INGEST_S", 1800))
QUERY_ROUNDS = int(os.environ.get("BENCH_QUERY_ROUNDS", 30))
FLUSH_S = int(os.environ.get("BENCH_FLUSH_S", 10))  # SAMPLE_PERSIST_EVERY of the intake
DAY = 86_400
OFFSET_STEP = 377  # seconds between hosts' starting points in the recording


def database_url(kind: str) -> str | None:
    return None if kind == "sqlite" else environment.fresh_postgres("history")


def series_keys(found, hosts: list[str]) -> dict[tuple[str, str, str], tuple[int, object]]:
    """(source, metric, label) -> (host's offset into the recording, its recorded values)."""
    keys = {}
    for number, host in enumerate(hosts):
        offset = number * OFFSET_STEP
        for (metric, label), values in found.agent.items():
            keys[f"agent:{host}", metric, label] = (offset, values)
        for metric, values in found.check.items():
            keys[f"check:{number + 1}", metric, ""] = (offset, values)
    return keys


def fill(found, hosts: list[str], start: int, end: int) -> dict:
    """Hour blocks of every series from start to end, as compaction leaves them (the last may be part of an hour)."""
    import numpy as np
    from django.db import transaction

    from bench.recording import rotated
    from stats.history import blocks, sql
    from stats.history.ingest import series_ids
    from stats.models import RawBlock

    keys = series_keys(found, hosts)
    ids = series_ids(keys)
    began = time.perf_counter()
    stored = written = 0
    for hour in range(start, end, 3600):
        rows = []
        for key, (offset, recorded) in keys.items():
            values = rotated(recorded, offset + hour - start, min(3600, end - hour))
            present = np.flatnonzero(~np.isnan(values))
            block = blocks.Values(present.astype(np.int64) + hour, values[present])
            rows.append((ids[key], hour, blocks.encode_values(hour, block)))
            stored += len(block)
        with transaction.atomic():
            sql.upsert(RawBlock, rows)
        written += len(rows)
    return {"series": len(keys), "blocks": written, "values": stored, "seconds": round(time.perf_counter() - began, 1)}


def ingest(found, hosts: list[str], start: int) -> dict:
    """The last INGEST_SECONDS through the intake's write and the checks' history path."""
    from stats import intake
    from stats.history import rollup
    from stats.history.ingest import store
    from stats.history.metrics import check_points, frame_points

    values = rollups = 0
    writing = rolling = 0.0
    batch: dict[str, list] = {host: [] for host in hosts}
    checks = []
    for second in range(INGEST_SECONDS):
        ts = start + second
        for number, host in enumerate(hosts):
            recorded = found.frames[(number * OFFSET_STEP + second) % found.seconds]
            data = {**recorded, "host": host, "ts": ts + 0.005}
            batch[host].append((f"{ts * 1000}-0", data))
            values += sum(1 for _ in frame_points(data))
        if second % 30 == 0:
            for number in range(len(hosts)):
                latency = found.check["check.latency_ms"][(number * OFFSET_STEP + second) % found.seconds]
                up = latency == latency
                points = check_points(up, float(latency) if up else None, None)
                checks += [(f"check:{number + 1}", metric, label, ts, value) for metric, label, value in points]
        if second % FLUSH_S == FLUSH_S - 1:
            began = time.perf_counter()
            intake.write(batch)
            values += store(checks)
            writing += time.perf_counter() - began
            batch, checks = {host: [] for host in hosts}, []
        if second % 60 == 59:  # beat's rollup task, once a minute
            began = time.perf_counter()
            rollup.roll_up(ts + 1)
            rolling += time.perf_counter() - began
            rollups += 1
    return {
        "values": values, "frames_per_write": FLUSH_S * len(hosts), "write_seconds": round(writing, 2),
        "values_per_s": round(values / writing), "rollups": rollups,
        "rollup_seconds_each": round(rolling / max(rollups, 1), 3),
    }  # fmt: skip


def table_sizes() -> dict[str, int]:
    """Bytes per history table, indexes included."""
    from django.db import connection

    tables = ["stats_rawblock", "stats_minuteblock", "stats_hourblock", "stats_series"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return {t: _one(cursor, "SELECT pg_total_relation_size(%s)", [t]) for t in tables}
        sizes = {}
        for table in tables:
            # The table and its indexes: dbstat names indexes by their own names.
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = %s", [table])
            names = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT SUM(pgsize) FROM dbstat WHERE name IN ({','.join(['%s'] * len(names))})", names)
            sizes[table] = cursor.fetchone()[0] or 0
        return sizes


def _one(cursor, sql: str, params: list) -> int:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def queries(hosts: list[str], now: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from api.models import ApiToken
    from bench.common import summary_ms

    user = get_user_model().objects.create_user("bench-reader")
    token = ApiToken(user=user, name="bench")
    secret = token.generate()
    token.save()
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    dashboard = (
        "cpu.percent,cpu.user,cpu.system,cpu.iowait,mem.percent,mem.swap_percent,load.1m,load.5m,load.15m,"
        "net.rx_bps,net.tx_bps,net.rx_errors_ps,net.tx_errors_ps,net.rx_drops_ps,net.tx_drops_ps"
    )
    cases = {
        "24h_1000_card_15_metrics": (dashboard, DAY, 1000),
        "1h_1000_card_15_metrics": (dashboard, 3600, 1000),
        "6h_1000_card_15_metrics": (dashboard, 6 * 3600, 1000),
        "7d_1000_card_15_metrics": (dashboard, 7 * DAY, 1000),
        "30d_1000_card_15_metrics": (dashboard, 30 * DAY, 1000),
        "24h_1000_cpu": ("cpu.percent", DAY, 1000),
    }
    results = {}
    client.get(f"/api/agents/{hosts[0]}/series?metric=cpu.percent")  # warm-up: imports, URL resolver
    for name, (metrics, span, points) in cases.items():
        durations, tiers, counts = [], set(), set()
        for round_number in range(QUERY_ROUNDS):
            for host in hosts:
                to = now - round_number  # a slightly different range each time: no cache helps
                url = f"/api/agents/{host}/series?metric={metrics}&from={to - span}&to={to}&points={points}"
                began = time.perf_counter()
                response = client.get(url)
                durations.append(time.perf_counter() - began)
                assert response.status_code == 200, response.content[:300]
                if round_number in (0, QUERY_ROUNDS - 1):
                    # Read back now and then only: parsing every 300 KB answer into Python
                    # lists here would leave the garbage collector work that lands in the
                    # next timed request (gen-1 passes of 15-19 ms, seen with a gc callback).
                    body = response.json()
                    tiers.add(body["tier"])
                    counts.add(len(body["t"]))
        results[name] = {
            "tier": sorted(tiers),
            "points": sorted(counts),
            "series": len(body["series"]),
            **summary_ms(durations),
        }
        print(f"  {name}: {results[name]}", flush=True)
    return results


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    os.environ["API_RATE_USER"] = "1000000/min"  # the benchmark asks thousands of times a minute
    workdir = environment.prepare("history", database_url(kind))
    from django.core.management import call_command
    from django.db import connection

    from bench import recording
    from bench.common import run_facts, save_results
    from stats.history import rollup

    call_command("migrate", verbosity=0)
    found = recording.load()
    hosts = [f"bench-host-{i:02d}" for i in range(HOSTS)]
    now = int(time.time()) // 3600 * 3600
    ingest_start = now - INGEST_SECONDS
    history_start = now - DAYS * DAY
    print(f"{kind}: {found.seconds} s recorded; filling {DAYS} days for {HOSTS} hosts", flush=True)
    filled = fill(found, hosts, history_start, ingest_start)
    print(f"  {filled}", flush=True)
    began = time.perf_counter()
    written = rollup.roll_up(ingest_start)
    rolled = {"buckets": written, "seconds": round(time.perf_counter() - began, 1)}
    print(f"rollup of the week: {rolled}", flush=True)
    print(f"ingesting {INGEST_SECONDS} s for {HOSTS} hosts", flush=True)
    ingested = ingest(found, hosts, ingest_start)
    print(f"  {ingested}", flush=True)
    rollup.roll_up(now + 120)
    raw_values = filled["values"] + ingested["values"]
    minute_points = _points("minute")
    # As written: PostgreSQL's VACUUM marks the space of replaced rows free for reuse but
    # keeps it in the files, as autovacuum does in a running installation (the rollup
    # rewrites the day's minute block of every series each minute). Live: after VACUUM
    # FULL (SQLite: VACUUM), what the blocks themselves take.
    vacuum("VACUUM ANALYZE" if connection.vendor == "postgresql" else None)
    written_sizes = table_sizes()
    vacuum("VACUUM FULL" if connection.vendor == "postgresql" else "VACUUM")
    sizes = table_sizes()
    density = {
        state: {
            "raw_bytes_per_value": round(found_sizes["stats_rawblock"] / raw_values, 3),
            "minute_bytes_per_point": round(found_sizes["stats_minuteblock"] / minute_points, 3),
        }
        for state, found_sizes in (("as_written", written_sizes), ("live", sizes))
    }
    density |= {"raw_values": raw_values, "minute_points": minute_points}
    host_days = HOSTS * DAYS
    per_host_day = {
        "raw": round(sizes["stats_rawblock"] / host_days),
        "minute": round(sizes["stats_minuteblock"] / host_days),
        "hour": round(sizes["stats_hourblock"] / host_days),
    }
    # 100 hosts at the default retentions: raw 7 days, minutes 90 days, hours 730 days.
    hundred_hosts = {
        "raw_7d": per_host_day["raw"] * 100 * 7,
        "minute_90d": per_host_day["minute"] * 100 * 90,
        "hour_730d": per_host_day["hour"] * 100 * 730,
    }
    hundred_hosts["total"] = sum(hundred_hosts.values())
    print(f"density: {density}; live bytes per host per day: {per_host_day}; 100 hosts: {hundred_hosts}", flush=True)
    seconds_recorded = found.seconds
    del found  # a web process holds no recording: its objects would only slow the garbage collector
    gc.collect()
    gc.freeze()  # as NetWorkMonitor/asgi.py does once a web process has started
    print("queries (in-process, full Django stack):", flush=True)
    timed = queries(hosts, now)
    save_results(
        f"history-{kind}",
        {
            **run_facts(), "database": connection.vendor, "hosts": HOSTS, "days": DAYS,
            "seconds_recorded": seconds_recorded, "fill": filled, "rollup": rolled, "ingest": ingested,
            "table_bytes_as_written": written_sizes, "table_bytes_live": sizes, "density": density,
            "bytes_per_host_per_day": per_host_day,
            "bytes_for_100_hosts": hundred_hosts, "queries": timed,
        },
    )  # fmt: skip
    connection.close()
    if kind == "postgres":
        database_url("postgres")  # drop what was made, leave an empty database
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


def vacuum(statement: str | None) -> None:
    from django.db import connection

    if statement:
        with connection.cursor() as cursor:
            cursor.execute(statement)


def _points(tier: str) -> int:
    """Buckets stored in a rollup tier."""
    from stats.history import blocks
    from stats.history.query import MODELS

    return sum(
        len(blocks.decode_summaries(start, data)) for start, data in MODELS[tier].objects.values_list("start", "data")
    )


if __name__ == "__main__":
    main()
