"""Path check (MTR): every hop towards the target, with its address, loss and latency.

Each round sends one echo per TTL from 1 to the hop limit, all at once, on the shared
raw ICMP socket; routers answer "time exceeded", the target an echo reply. `ping_count`
rounds make each hop's loss and latency. The path is the hops up to the first TTL the
target answered; a hop that never answers is shown as "*". Alert rules watch whether
the path changed since the previous run and the worst hop's loss.
"""

import asyncio
import statistics
import time
from collections import Counter

from monitor.checks.base import CheckFailed, CheckKind, CheckSpec, Outcome, resolve
from monitor.checks.ping import PING_COUNT
from monitor.checks.settings import Setting
from netmon_probe.checks import icmp

ROUND_SPACING_S = 0.2


class Path(CheckKind):
    name = "path"
    label = "path (MTR)"
    settings = (
        PING_COUNT,
        Setting("max_hops", int, 30, label="hop limit", required=True, minimum=1, maximum=64,
                range_message="Probe from 1 to 64 hops."),
    )  # fmt: skip
    admin_rows = ("max_hops",)  # with the ping fieldset's echo requests, one per hop and round
    csv_syntax = "path[:<max hops>]"
    measures_loss = True
    traces_hops = True

    async def run(self, spec: CheckSpec) -> Outcome:
        family, ip = await resolve(spec.address)
        sock = icmp.shared_socket(family, (icmp.RAW,))
        if sock is None:
            raise CheckFailed("path checks need raw ICMP: run the checks worker as root or with CAP_NET_RAW")
        rounds, max_hops = spec.options["ping_count"], spec.options["max_hops"]
        deadline = time.monotonic() + spec.timeout_s * 0.95
        spacing = min(ROUND_SPACING_S, spec.timeout_s / (2 * rounds))

        async def one_round(i: int) -> list[tuple]:
            await asyncio.sleep(i * spacing)
            wait_s = deadline - time.monotonic()
            return await asyncio.gather(*(sock.probe(ip, wait_s, ttl) for ttl in range(1, max_hops + 1)))

        answers = await asyncio.gather(*(one_round(i) for i in range(rounds)))
        return summarize(ip, answers)

    def readings(self, result, previous_details) -> dict[str, float]:
        if not result.details.get("hops"):
            return {}
        before = previous_details()
        return path_readings(result.details["hops"], before.get("hops") if before else None)

    def describe(self, check) -> str:
        return f"path x{check.ping_count} ≤{check.max_hops} hops"

    def from_csv(self, argument: str, check) -> None:
        if argument and not argument.isdigit():
            raise ValueError(f"write a path check as {self.csv_syntax}")
        if argument:
            check.max_hops = int(argument)


KIND = Path()


def path_readings(hops: list[dict], previous_hops: list[dict] | None) -> dict[str, float]:
    """Whether the route changed since the previous run, and the worst loss at a hop before the target.

    The route is the hops that answered, in order: a hop that stays silent ("*") is not a change.
    """
    route = [hop["address"] for hop in hops if hop["address"] != "*"]
    before = [hop["address"] for hop in previous_hops or [] if hop["address"] != "*"]
    readings = {"path_changed": 1.0 if previous_hops is not None and route != before else 0.0}
    readings["path_hop_loss_pct"] = max((hop["loss_pct"] for hop in hops[:-1]), default=0.0)
    return readings


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
