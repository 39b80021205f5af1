"""Sharded ingest: any number of ingest processes, each stream owned by exactly one at a time.

The probes processes share the probes' streams with the same parts, as the group "probes"
(its own members and leases; no relay: a stream is handed over once the intake let go of it).

- `members`: the live ingest processes, each renewing its place in a sorted set.
- `assignment`: which live process each stream belongs to (rendezvous hashing, pure).
- `leases`: a stream is read only under its lease in Redis, which carries a fencing token
  that the history writes check in the database.
- `shard`: what this process owns, and the handover between its relay, its intake and
  the coordinator.
- `coordinator`: every half second, joins, renews, releases what moved away once flushed,
  and takes what came its way.
"""
