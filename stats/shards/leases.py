"""A stream's lease: who reads it now, until when, and its fencing token.

Taking a lease bumps the stream's fencing counter; the new token is written to the
database with every history batch of the stream (stats.intake), and a batch carrying
an older token is refused there. So a process that lost its lease while frozen (a long
pause, a network cut) cannot write over its successor, even if it wakes up mid-write.
"""

from django.conf import settings

LEASE_MS = 6_000

# KEYS[1] lease, KEYS[2] fencing counter; ARGV[1] holder, ARGV[2] ms. Returns the token, or 0.
# A token is at least Redis's clock in µs: after a Redis restart that lost the counters (or a
# failover to a replica that lagged), new tokens are still above those the database holds.
TAKE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local clock = redis.call('TIME')
local now_us = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local token = string.format('%d', math.max(tonumber(redis.call('GET', KEYS[2]) or '0') + 1, now_us))
redis.call('SET', KEYS[2], token)
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. token, 'PX', ARGV[2])
return token
"""

# KEYS: leases; ARGV[1] holder, ARGV[2] ms, ARGV[3..] tokens. Returns 1 per lease still held, 0 per lost.
RENEW = """
local held = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', KEYS[i]) == ARGV[1] .. ' ' .. ARGV[i + 2] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    held[i] = 1
  else
    held[i] = 0
  end
end
return held
"""

# KEYS: leases; ARGV[1] holder, ARGV[2..] tokens. Deletes only the leases still ours.
RELEASE = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', KEYS[i]) == ARGV[1] .. ' ' .. ARGV[i + 1] then redis.call('DEL', KEYS[i]) end
end
return 1
"""


def lease_key(stream: str, group: str = "ingest") -> str:
    """`group`: the processes that share these streams (stats.shards.members), each its own leases."""
    return f"{settings.REDIS_PREFIX}:{group}:lease:{stream}"


def fence_key(stream: str, group: str = "ingest") -> str:
    return f"{settings.REDIS_PREFIX}:{group}:fence:{stream}"


async def take(redis, stream: str, holder: str, group: str = "ingest") -> int | None:
    """The lease of `stream` for `holder` with its new token, or None while another holds it."""
    token = await redis.eval(TAKE, 2, lease_key(stream, group), fence_key(stream, group), holder, LEASE_MS)
    return int(token) or None


async def renew(redis, held: dict[str, int], holder: str, group: str = "ingest") -> set[str]:
    """Extend the leases of `held` (stream -> token); returns the streams whose lease was lost."""
    if not held:
        return set()
    streams = list(held)
    keys = [lease_key(stream, group) for stream in streams]
    kept = await redis.eval(RENEW, len(keys), *keys, holder, LEASE_MS, *(held[s] for s in streams))
    return {stream for stream, still in zip(streams, kept, strict=True) if not still}


def release(redis, held: dict[str, int], holder: str, group: str = "ingest") -> None:
    """Give up the leases of `held` (stream -> token) that are still ours (sync or async client)."""
    if not held:
        return None
    streams = list(held)
    keys = [lease_key(stream, group) for stream in streams]
    return redis.eval(RELEASE, len(keys), *keys, holder, *(held[s] for s in streams))
