"""The WebSocket side every socket shares: the consumer base (login, JSON frames, errors as
frames), who opened a socket and from which Origin, the per-user cap on open sockets and the
Redis leases behind it, and the eager writes that send each frame at once under daphne."""
