"""The plain values both transports return for a varbind: int, bytes, an OID as text,
None for "no such object", or END at the end of the device's MIB view."""


class EndOfMibView:
    def __repr__(self) -> str:
        return "END"


END = EndOfMibView()
