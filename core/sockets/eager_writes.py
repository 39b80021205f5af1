"""Bytes written to an accepted TCP connection go out at once when nothing waits before them.

Twisted, under daphne, keeps every write until the next turn of its reactor
(twisted/twisted#5303, open since 2011): it registers the socket for writing (an
`epoll_ctl`), waits for the loop to say it is writable, sends, and unregisters it
(another `epoll_ctl`), each step through Twisted's logging and context wrappers. A web
process writing a frame to each of 1,000 dashboards spent about half of its busy time
there, the `send` itself a third of that (py-spy).

Here a write with nothing buffered before it is sent at once, as asyncio's own
transports do. What the kernel does not take, and a write after any failure, goes
Twisted's usual way, in order after it: the reactor still handles a full socket
buffer, flow control, a half-closed or lost connection and TLS.
"""

from twisted.internet import tcp


def eager_write(transport: tcp.Server, data: bytes) -> None:
    if (
        isinstance(data, bytes)
        and data
        and not transport.TLS
        and transport.connected
        and not (transport.disconnecting or transport._writeDisconnecting or transport._writeDisconnected)
        and not transport._tempDataBuffer
        and transport.offset == len(transport.dataBuffer)  # nothing is waiting to be sent
    ):
        sent = transport.writeSomeData(data)  # a number of bytes, or the error the reactor will meet again
        if isinstance(sent, int) and sent > 0:
            data = data[sent:]
    tcp.Connection.write(transport, data)  # the rest, if any, Twisted's way


def install() -> None:
    """For the connections daphne accepts from now on in this process."""
    tcp.Server.write = eager_write
