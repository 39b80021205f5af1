"""On-call shifts as an iCalendar document (RFC 5545), for calendar applications to subscribe to."""

from datetime import UTC, datetime

from oncall.rotation import Shift

PRODUCT = "-//NetWorkMonitor//On call//EN"


def escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def folded(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded, parts = line.encode(), []
    while len(encoded) > 75:
        cut = 75
        while (encoded[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        parts.append(encoded[:cut].decode())
        encoded = b" " + encoded[cut:]
    parts.append(encoded.decode())
    return "\r\n".join(parts)


def calendar(name: str, shifts: list[tuple[str, str, Shift]], now: datetime) -> str:
    """`shifts`: (uid, summary, shift) each; one VEVENT per shift, times in UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escaped(name)}",
    ]
    for uid, summary, shift in shifts:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp(now)}",
            f"DTSTART:{stamp(shift.start)}",
            f"DTEND:{stamp(shift.end)}",
            f"SUMMARY:{escaped(summary)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded(line) for line in lines) + "\r\n"
