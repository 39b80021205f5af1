"""Path (MTR): every hop towards the target, with its address, loss and latency.

Each round sends one echo per TTL from 1 to the hop limit, all at once, on the shared
raw ICMP socket; routers answer "time exceeded", the target an echo reply. `ping_count`
rounds make each hop's loss and latency. The path is the hops up to the first TTL the
target answered; a hop that never answers is shown as "*". Framework-free: the probes
run it, and the centre's path kind (monitor.checks.path) calls it under its own policy.
"""

import asyncio
import socket
import statistics
import time
from collections import Counter

from netmon_probe.checks import icmp
from netmon_probe.checks.core import CheckFailed, CheckSpec, Outcome, Refusal, resolve

ROUND_SPACING_S = 0.2


async def run(spec: CheckSpec, refusal: Refusal) -> Outcome:
    family, ip = await resolve(spec.address, 0, socket.AF_UNSPEC, refusal)
    sock = icmp.shared_socket(family, (icmp.RAW,))
    if sock is None:
        raise CheckFailed("path checks need raw ICMP: run them as root or with CAP_NET_RAW")
    rounds, max_hops = spec.options["ping_count"], spec.options["max_hops"]
    deadline = time.monotonic() + spec.timeout_s * 0.95
    spacing = min(ROUND_SPACING_S, spec.timeout_s / (2 * rounds))

    async def one_round(i: int) -> list[tuple]:
        await asyncio.sleep(i * spacing)
        wait_s = deadline - time.monotonic()
        return await asyncio.gather(*(sock.probe(ip, wait_s, ttl) for ttl in range(1, max_hops + 1)))

    answers = await asyncio.gather(*(one_round(i) for i in range(rounds)))
    return summarize(ip, answers)


def summarize(ip: str, answers: list[list[tuple]]) -> Outcome:
    """Hops from the probes of every round: answers[round][ttl - 1] = (ms, responder, reached)."""
    reached_at = [ttl for per_round in answers for ttl, (_, _, reached) in enumerate(per_round, 1) if reached]
    length = min(reached_at) if reached_at else len(answers[0])
    hops = []
    for ttl in range(1, length + 1):
        replies = [r for r in (per_round[ttl - 1] for per_round in answers) if r[1] is not None]
        rtts = [ms for ms, _, _ in replies]
        address = Counter(responder for _, responder, _ in replies).most_common(1)[0][0] if replies else "*"
        hops.append({"hop": ttl, "address": address, "loss_pct": round(100 * (1 - len(replies) / len(answers)), 1),
                     "avg_ms": round(statistics.fmean(rtts), 3) if rtts else None,
                     "best_ms": round(min(rtts), 3) if rtts else None,
                     "worst_ms": round(max(rtts), 3) if rtts else None})  # fmt: skip
    while len(hops) > 1 and not reached_at and hops[-1]["address"] == "*" and hops[-2]["address"] == "*":
        hops.pop()  # an unreachable target: the silent tail says nothing more than one "*"
    details = {"ip": ip, "hops": hops, "reached": bool(reached_at)}
    last = hops[-1]
    if not reached_at:
        return Outcome(loss_pct=100.0, error=f"{ip} not reached within {len(answers[0])} hops", details=details)
    return Outcome(latency_ms=last["avg_ms"], loss_pct=last["loss_pct"], details=details)
