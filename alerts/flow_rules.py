"""Alert rules on flows as pure functions: which flow records a rule counts, their rate over a
minute, and when that rate fires the rule or, fallen back, resolves it.

No database and no clock: the evaluator (alerts.flow_evaluator) passes everything in. The
records are the collector's numpy records (flows.decoding.records), addresses as 16 bytes
(IPv4 mapped into IPv6), already scaled by their sampling rate; matching is done in bulk.
"""

import ipaddress
from dataclasses import dataclass

import numpy as np

from alerts.rules import FIRING, RESOLVED

FROM, TO, EITHER = "from", "to", "either"
MINUTE_S = 60.0


@dataclass(frozen=True)
class FlowRuleSpec:
    id: int
    threshold_bps: float  # fires when the minute's rate is above this
    recovery_bps: float  # resolves when it is at or below this
    network: ipaddress.IPv6Network | None = None  # the address or prefix, IPv4 mapped; None: any
    direction: str = EITHER  # traffic from the network, to it, or either
    port: int | None = None  # either end's port; None: any
    if_index: int | None = None  # flows in or out of this port only; None: the whole device


def mapped_network(text: str) -> ipaddress.IPv6Network:
    """An address or prefix ("198.18.0.0/15", "2001:db8::1") as the IPv6 network the records use."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    if network.version == 4:
        mapped = ipaddress.IPv6Address(b"\0" * 10 + b"\xff\xff" + network.network_address.packed)
        return ipaddress.IPv6Network((mapped, 96 + network.prefixlen))
    return network


def _halves(addresses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    words = np.ascontiguousarray(addresses).view(">u8").reshape(-1, 2)
    return words[:, 0].astype(np.uint64), words[:, 1].astype(np.uint64)


def _in_network(addresses: np.ndarray, network: ipaddress.IPv6Network) -> np.ndarray:
    mask = int(network.netmask)
    base = int(network.network_address)
    high, low = _halves(addresses)
    mask_high, mask_low = np.uint64(mask >> 64), np.uint64(mask & (2**64 - 1))
    return ((high & mask_high) == np.uint64(base >> 64)) & ((low & mask_low) == np.uint64(base & (2**64 - 1)))


def matching(rule: FlowRuleSpec, records: np.ndarray) -> np.ndarray:
    """Which of `records` the rule counts, as a boolean mask."""
    wanted = np.ones(len(records), dtype=bool)
    if rule.if_index is not None:
        wanted &= (records["in_if"] == rule.if_index) | (records["out_if"] == rule.if_index)
    if rule.port is not None:
        wanted &= (records["sport"] == rule.port) | (records["dport"] == rule.port)
    if rule.network is not None:
        source, destination = _in_network(records["src"], rule.network), _in_network(records["dst"], rule.network)
        wanted &= {FROM: source, TO: destination}.get(rule.direction, source | destination)
    return wanted


def rate_bps(rule: FlowRuleSpec, records: np.ndarray, seconds: float = MINUTE_S) -> float:
    """The rule's traffic among a minute's `records`, in bit/s."""
    if not len(records):
        return 0.0
    return float(records["bytes"][matching(rule, records)].sum(dtype=np.float64)) * 8.0 / seconds


def step(rule: FlowRuleSpec, firing: bool, rate: float) -> str | None:
    """One minute's rate against a rule now firing or not: "firing", "resolved" or None."""
    if not firing and rate > rule.threshold_bps:
        return FIRING
    if firing and rate <= rule.recovery_bps:
        return RESOLVED
    return None
