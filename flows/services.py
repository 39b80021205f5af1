"""Names of IP protocols and of well-known ports, for top-N rows a person reads."""

PROTOCOLS = {
    1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 41: "ipv6", 47: "gre", 50: "esp", 58: "icmpv6", 89: "ospf",
    112: "vrrp", 132: "sctp",
}  # fmt: skip
SERVICES = {
    20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "domain", 67: "bootps", 68: "bootpc",
    69: "tftp", 80: "http", 110: "pop3", 123: "ntp", 137: "netbios-ns", 143: "imap", 161: "snmp", 162: "snmptrap",
    179: "bgp", 389: "ldap", 443: "https", 445: "microsoft-ds", 465: "submissions", 514: "syslog", 587: "submission",
    636: "ldaps", 853: "domain-s", 993: "imaps", 995: "pop3s", 1194: "openvpn", 1812: "radius", 2055: "netflow",
    3306: "mysql", 3389: "ms-wbt-server", 4789: "vxlan", 5060: "sip", 5432: "postgresql", 6343: "sflow",
    6379: "redis", 8080: "http-alt", 8443: "https-alt", 9100: "jetdirect", 51820: "wireguard",
}  # fmt: skip
PORTED = {6, 17, 132}  # protocols whose flows have ports


def protocol_name(number: int) -> str:
    return PROTOCOLS.get(number, str(number))


def port_name(protocol: int, port: int) -> str:
    """ "tcp/443 (https)", "udp/5000", or the protocol alone when it has no ports."""
    if protocol not in PORTED:
        return protocol_name(protocol)
    name = SERVICES.get(port)
    return f"{protocol_name(protocol)}/{port}" + (f" ({name})" if name else "")
