"""Path check (MTR): every hop towards the target, with its address, loss and latency.

The network side (rounds of echoes with rising TTLs on the shared raw ICMP socket, and
the hops they make) is netmon_probe.checks.path, which the probes run too. Alert rules
watch whether the path changed since the previous run and the worst hop's loss.
"""

from core.security import destinations
from monitor.checks.base import CheckKind, CheckSpec, Outcome
from monitor.checks.ping import PING_COUNT
from monitor.checks.settings import Setting
from netmon_probe.checks import path as network


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
        return await network.run(spec, destinations.refusal)

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
