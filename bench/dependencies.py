"""Dependencies and root cause at scale: the pure parts of discovery/, timed on a synthetic network.

    python bench/dependencies.py     # BENCH_NODES (10,000), BENCH_DOWN (1,000), BENCH_REPEATS (20)

The network: the server, 10 core routers in a ring, 100 distribution switches (each on
two cores), access switches on two distribution switches each, and hosts on one access
switch each (about 10 per switch), BENCH_NODES nodes in all. Timed: recomputing the
dependencies (graph, parents, walk order) from links, path hops and routing
adjacencies; and the root-cause decision for BENCH_DOWN simultaneous DOWN results
(whole access switches with every host behind them, so most are held, plus scattered
hosts). Goals: dependencies <= 100 ms, decision <= 1 s.
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "NetWorkMonitor.settings")

import django

django.setup()  # bench.common's helpers read the settings

from bench.common import run_facts, save_results  # noqa: E402
from discovery.dependencies import recompute  # noqa: E402
from discovery.root_cause import decide  # noqa: E402

NODES = int(os.environ.get("BENCH_NODES", "10000"))
DOWN = int(os.environ.get("BENCH_DOWN", "1000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))
CORES, DISTRIBUTION, HOSTS_PER_ACCESS = 10, 100, 10


def network(size: int) -> tuple[list, list, list, dict]:
    """(links, path hops, routing adjacencies, access switch -> its hosts) of `size` nodes."""
    rng = random.Random(40)
    cores = [f"core{i}" for i in range(CORES)]
    adjacencies = [(cores[i], cores[(i + 1) % CORES]) for i in range(CORES)]  # BGP/OSPF between cores
    hops = [[core] for core in cores]  # path checks from the server reach each core first
    links, behind = [], {}
    distribution = [f"dist{i}" for i in range(DISTRIBUTION)]
    for i, switch in enumerate(distribution):
        links += [(cores[i % CORES], switch), (cores[(i + 1) % CORES], switch)]
    access_count = (size - 1 - CORES - DISTRIBUTION) // (HOSTS_PER_ACCESS + 1)
    for i in range(access_count):
        access = f"acc{i}"
        links += [(switch, access) for switch in rng.sample(distribution, 2)]
        behind[access] = [f"h{i}-{j}" for j in range(HOSTS_PER_ACCESS)]
        links += [(access, host) for host in behind[access]]
    return links, hops, adjacencies, behind


def timed(function, repeats: int) -> tuple[list[float], list[float], object]:
    """(wall seconds, CPU seconds of this process, the last result) of `repeats` calls. The CPU
    time is what the work costs; the wall time also holds what other processes took of the cores."""
    seconds, cpu, result = [], [], None
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return seconds, cpu, result


def summary(seconds: list[float], goal_ms: int, digits: int) -> dict:
    ordered = sorted(seconds)
    return {"median": round(ordered[len(ordered) // 2] * 1000, digits), "max": round(ordered[-1] * 1000, digits),
            "goal": goal_ms}  # fmt: skip


def down_nodes(behind: dict, count: int) -> set:
    """Whole access switches with their hosts (a tenth of the DOWN results are causes), then scattered hosts."""
    rng = random.Random(41)
    down: set = set()
    for access in rng.sample(sorted(behind), len(behind)):
        if len(down) + HOSTS_PER_ACCESS + 1 > count * 0.9:
            break
        down |= {access, *behind[access]}
    hosts = [host for hosts in behind.values() for host in hosts if host not in down]
    return down | set(rng.sample(hosts, count - len(down)))


def main() -> None:
    links, hops, adjacencies, behind = network(NODES)

    dependency_s, dependency_cpu, (found, walk) = timed(lambda: recompute(links, hops, adjacencies), REPEATS)
    down = down_nodes(behind, DOWN)
    decision_s, decision_cpu, decision = timed(lambda: decide(found, walk, down), REPEATS)
    results = {
        **run_facts(),
        "nodes": len(found),
        "edges": len(links) + len(adjacencies) + len(hops),
        "load_average": os.getloadavg()[0],
        "dependencies_ms": summary(dependency_s, 100, 1),
        "dependencies_cpu_ms": summary(dependency_cpu, 100, 1),
        "down": len(down),
        "causes": len(decision.causes),
        "held": len(decision.held),
        "decision_ms": summary(decision_s, 1000, 2),
        "decision_cpu_ms": summary(decision_cpu, 1000, 2),
    }  # fmt: skip
    save_results("dependencies", results)
    print(results)


if __name__ == "__main__":
    main()
