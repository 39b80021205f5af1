"""History at scale: 7 days of 1 Hz history for 10 hosts, range queries, ingest rate, bytes on disk.

    python bench/history.py sqlite       # a throwaway SQLite file
    python bench/history.py postgres     # a fresh database on POSTGRES_TEST_URL's server

Steps: (1) ingest BENCH_INGEST_S seconds of frames per host through the agents' own
write path, 10 frames per flush as an agent does; (2) fill the rest of the 7 days
with the raw tier as compaction leaves it (one chunk per series and minute);
(3) the real rollup task over all of it; (4) range queries through the full Django
stack (token auth, DRF, JSON), timed in-process; (5) table sizes.
"""

import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment

HOSTS = int(os.environ.get("BENCH_HOSTS", 10))
DAYS = int(os.environ.get("BENCH_DAYS", 7))
INGEST_SECONDS = int(os.environ.get("BENCH_INGEST_S", 1800))
QUERY_ROUNDS = int(os.environ.get("BENCH_QUERY_ROUNDS", 30))
FLUSH_FRAMES = 10  # frames per write; the rollup compacts each minute's chunks into one either way
DAY = 86_400


def database_url(kind: str) -> str | None:
    if kind == "sqlite":
        return None
    import psycopg

    server = os.environ.get("POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/netmon")
    parts = urlsplit(server)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS netmon_bench_history")
        connection.execute("CREATE DATABASE netmon_bench_history")
    return urlunsplit(parts._replace(path="/netmon_bench_history"))


def frame(host: str, ts: float, rng: random.Random) -> dict:
    """A stats frame with what a 2-core host with lo, eth0 and one mount reports."""
    nic = lambda: {  # noqa: E731
        "rx_bps": rng.uniform(0, 1e7), "tx_bps": rng.uniform(0, 1e6), "rx_errors_ps": 0.0, "tx_errors_ps": 0.0,
        "rx_drops_ps": rng.choice((0.0, 0.0, 1.0)), "tx_drops_ps": 0.0, "up": True,
    }  # fmt: skip
    cpu = rng.uniform(0, 100)
    return {
        "type": "stats", "host": host, "ts": ts,
        "cpu": {"percent": cpu, "user": cpu * 0.6, "system": cpu * 0.3, "iowait": cpu * 0.1},
        "mem": {"percent": rng.uniform(20, 80), "swap_percent": 0.0, "swap_total": 0},
        "load": {"1m": rng.uniform(0, 4), "5m": 1.0, "15m": 0.8},
        "disk": {"mounts": {"/": {"percent": 42.0}}},
        "net": {"lo": nic(), "eth0": nic()},
        "tcp": {"established": rng.randint(0, 500)},
    }  # fmt: skip


def ingest(hosts: list[str], start: int) -> dict:
    from stats.persistence import SampleBuffer

    from stats.history.metrics import frame_points

    rng = random.Random(1)
    buffers = {host: SampleBuffer(host, flush_every=float("inf")) for host in hosts}
    values = 0
    began = time.perf_counter()
    for second in range(INGEST_SECONDS):
        for host in hosts:
            data = frame(host, start + second + rng.random() * 0.01, rng)
            values += sum(1 for _ in frame_points(data))
            buffers[host].add(data)
            if second % FLUSH_FRAMES == FLUSH_FRAMES - 1:
                buffers[host].flush()
    for buffer in buffers.values():
        buffer.flush()
    elapsed = time.perf_counter() - began
    frames = INGEST_SECONDS * len(hosts)
    return {
        "frames": frames, "values": values, "seconds": round(elapsed, 2),
        "frames_per_s": round(frames / elapsed), "values_per_s": round(values / elapsed),
    }  # fmt: skip


def fill_raw(hosts: list[str], start: int, end: int) -> dict:
    """Minute chunks for every series the ingest created, from start to end (both whole minutes)."""
    from django.db import connection, transaction

    from stats.history.chunks import pack
    from stats.models import Series

    rng = random.Random(2)
    pool = [pack([rng.uniform(0, 100) for _ in range(60)]) for _ in range(256)]
    series = list(Series.objects.filter(source__in=[f"agent:{h}" for h in hosts]).values_list("pk", flat=True))
    began = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for minute in range(start, end, 60 * 60):  # an hour of minutes per statement batch
            batch = [
                (pk, m, pool[(pk + m // 60) % 256]) for m in range(minute, min(end, minute + 3600), 60) for pk in series
            ]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY stats_rawchunk (series_id, start, values) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany('INSERT INTO stats_rawchunk (series_id, start, "values") VALUES (%s, %s, %s)', batch)
            rows += len(batch)
    return {"series": len(series), "chunks": rows, "seconds": round(time.perf_counter() - began, 1)}


def table_sizes() -> dict[str, int]:
    """Bytes per history table, indexes included."""
    from django.db import connection

    tables = ["stats_rawchunk", "stats_minuterollup", "stats_hourrollup", "stats_series"]
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

    from bench.common import summary_ms
    from monitor.models import ApiToken

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
        "24h_1000_cpu": ("cpu.percent", DAY, 1000),
        "24h_1000_dashboard_15_metrics": (dashboard, DAY, 1000),
        "1h_1000_cpu": ("cpu.percent", 3600, 1000),
        "6h_1000_cpu": ("cpu.percent", 6 * 3600, 1000),
        "7d_1000_cpu": ("cpu.percent", 7 * DAY, 1000),
        "30d_1000_cpu": ("cpu.percent", 30 * DAY, 1000),
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
    workdir = environment.prepare("history", database_url(kind))
    from django.core.management import call_command
    from django.db import connection

    from bench.common import run_facts, save_results
    from stats.history import rollup

    call_command("migrate", verbosity=0)
    hosts = [f"bench-host-{i:02d}" for i in range(HOSTS)]
    now = int(time.time()) // 60 * 60
    ingest_start = now - INGEST_SECONDS
    history_start = now - DAYS * DAY
    print(f"{kind}: ingesting {INGEST_SECONDS} s of frames for {HOSTS} hosts", flush=True)
    ingested = ingest(hosts, ingest_start)
    print(f"  {ingested}", flush=True)
    print(f"filling {DAYS} days of raw chunks", flush=True)
    filled = fill_raw(hosts, history_start, ingest_start // 60 * 60)
    print(f"  {filled}", flush=True)
    began = time.perf_counter()
    written = rollup.roll_up(now + 120)
    rolled = {"buckets": written, "seconds": round(time.perf_counter() - began, 1)}
    print(f"rollup: {rolled}", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    sizes = table_sizes()
    host_days = HOSTS * DAYS
    per_host_day = {
        "raw": round(sizes["stats_rawchunk"] / host_days),
        "minute": round(sizes["stats_minuterollup"] / host_days),
        "hour": round(sizes["stats_hourrollup"] / host_days),
    }
    # 100 hosts at the default retentions: raw 7 days, minutes 90 days, hours 730 days.
    hundred_hosts = {
        "raw_7d": per_host_day["raw"] * 100 * 7,
        "minute_90d": per_host_day["minute"] * 100 * 90,
        "hour_730d": per_host_day["hour"] * 100 * 730,
    }
    hundred_hosts["total"] = sum(hundred_hosts.values())
    print(f"bytes per host per day: {per_host_day}; 100 hosts: {hundred_hosts}", flush=True)
    print("queries (in-process, full Django stack):", flush=True)
    timed = queries(hosts, now)
    save_results(
        f"history-{kind}",
        {
            **run_facts(), "database": connection.vendor, "hosts": HOSTS, "days": DAYS,
            "ingest": ingested, "fill": filled, "rollup": rolled, "table_bytes": sizes,
            "bytes_per_host_per_day": per_host_day, "bytes_for_100_hosts": hundred_hosts, "queries": timed,
        },
    )  # fmt: skip
    connection.close()
    if kind == "postgres":
        database_url("postgres")  # drop what was made, leave an empty database
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
