"""Which ingest process each stream belongs to: rendezvous (highest random weight) hashing.

Every process computes the same answer from the same list of live members, without
talking to the others; a member joining or leaving moves only the streams it wins or
held (about 1/N of them), never reshuffles the rest.
"""

import hashlib
from collections.abc import Iterable


def weight(member: str, stream: str) -> int:
    digest = hashlib.blake2b(f"{member}\0{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def owner_of(stream: str, members: Iterable[str]) -> str | None:
    """The member `stream` belongs to, or None when no member is alive."""
    return max(members, key=lambda member: (weight(member, stream), member), default=None)


def assigned(streams: Iterable[str], members: Iterable[str], me: str) -> set[str]:
    """The streams of `streams` that belong to `me` among `members` (me counted even if not listed yet)."""
    everyone = {*members, me}
    return {stream for stream in streams if owner_of(stream, everyone) == me}
