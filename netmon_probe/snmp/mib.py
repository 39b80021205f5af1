"""The SNMP objects a device is discovered and polled by (SNMPv2-MIB, IF-MIB, ENTITY-MIB), by number.

Numeric OIDs: no MIB files are compiled or looked up at run time.
"""

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
ENT_PHYSICAL_MODEL_NAME = "1.3.6.1.2.1.47.1.1.1.1.13"  # a column; the chassis is the first non-empty one

IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"

# What a port is, read at discovery: field -> column.
IDENTITY_COLUMNS = {
    "descr": f"{IF_TABLE}.2",
    "type": f"{IF_TABLE}.3",
    "speed": f"{IF_TABLE}.5",  # bits/s, saturates at 4,294,967,295
    "name": f"{IF_X_TABLE}.1",
    "high_speed": f"{IF_X_TABLE}.15",  # Mbit/s
    "alias": f"{IF_X_TABLE}.18",
}

# What moves, read at every poll.
STATE_COLUMNS = {
    "admin_status": f"{IF_TABLE}.7",
    "oper_status": f"{IF_TABLE}.8",
}
ERROR_COUNTERS = {  # 32-bit in every device
    "in_discards": f"{IF_TABLE}.13",
    "in_errors": f"{IF_TABLE}.14",
    "out_discards": f"{IF_TABLE}.19",
    "out_errors": f"{IF_TABLE}.20",
}
HC_COUNTERS = {  # 64-bit (ifXTable)
    "in_octets": f"{IF_X_TABLE}.6",
    "in_ucast": f"{IF_X_TABLE}.7",
    "in_mcast": f"{IF_X_TABLE}.8",
    "in_bcast": f"{IF_X_TABLE}.9",
    "out_octets": f"{IF_X_TABLE}.10",
    "out_ucast": f"{IF_X_TABLE}.11",
    "out_mcast": f"{IF_X_TABLE}.12",
    "out_bcast": f"{IF_X_TABLE}.13",
}
LEGACY_COUNTERS = {  # 32-bit fallback for devices without the HC columns
    "in_octets": f"{IF_TABLE}.10",
    "in_ucast": f"{IF_TABLE}.11",
    "out_octets": f"{IF_TABLE}.16",
    "out_ucast": f"{IF_TABLE}.17",
    "in_mcast": f"{IF_X_TABLE}.2",
    "in_bcast": f"{IF_X_TABLE}.3",
    "out_mcast": f"{IF_X_TABLE}.4",
    "out_bcast": f"{IF_X_TABLE}.5",
}

# Neighbours. LLDP-MIB: remote rows indexed by (timeMark, localPortNum, remIndex); the
# local port's name is in lldpLocPortTable by localPortNum.
LLDP_REMOTE = {
    "chassis": "1.0.8802.1.1.2.1.4.1.1.5",
    "port": "1.0.8802.1.1.2.1.4.1.1.7",
    "port_descr": "1.0.8802.1.1.2.1.4.1.1.8",
    "name": "1.0.8802.1.1.2.1.4.1.1.9",
}
LLDP_LOCAL_PORT = {"id": "1.0.8802.1.1.2.1.3.7.1.3", "descr": "1.0.8802.1.1.2.1.3.7.1.4"}
# CISCO-CDP-MIB cdpCacheTable: rows indexed by (ifIndex, deviceIndex).
CDP_CACHE = {
    "name": "1.3.6.1.4.1.9.9.23.1.2.1.1.6",  # cdpCacheDeviceId
    "port": "1.3.6.1.4.1.9.9.23.1.2.1.1.7",  # cdpCacheDevicePort
    "platform": "1.3.6.1.4.1.9.9.23.1.2.1.1.8",
}
CDP_CACHE_ADDRESS = "1.3.6.1.4.1.9.9.23.1.2.1.1.4"  # the neighbour's address: 4 octets when it is IPv4

OPER_STATUS = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent", 7: "lowerLayerDown"}

ENTERPRISES = "1.3.6.1.4.1."
# IANA private enterprise numbers of common network vendors.
VENDORS = {
    2: "IBM", 9: "Cisco", 11: "HP", 43: "3Com", 171: "D-Link", 311: "Microsoft", 318: "APC",
    674: "Dell", 1916: "Extreme Networks", 1991: "Brocade", 2011: "Huawei", 2021: "Net-SNMP",
    2620: "Check Point", 2636: "Juniper", 3375: "F5", 4526: "Netgear", 5624: "Enterasys",
    6027: "Dell (Force10)", 6486: "Alcatel-Lucent", 6876: "VMware", 8072: "Net-SNMP",
    8741: "SonicWall", 11863: "TP-Link", 12356: "Fortinet", 14823: "Aruba", 14988: "MikroTik",
    25461: "Palo Alto Networks", 25506: "H3C", 30065: "Arista", 41112: "Ubiquiti",
}  # fmt: skip


def vendor(sys_object_id: str) -> str:
    """The vendor a sysObjectID names, or its enterprise number when it is not a known one."""
    if not sys_object_id.startswith(ENTERPRISES):
        return ""
    number = sys_object_id[len(ENTERPRISES) :].split(".", 1)[0]
    return VENDORS.get(int(number), f"enterprise {number}") if number.isdigit() else ""


# Routing sessions. BGP4-MIB bgpPeerTable: rows indexed by the peer's address (4 numbers).
BGP_PEER = {
    "state": "1.3.6.1.2.1.15.3.1.2",  # bgpPeerState
    "admin_status": "1.3.6.1.2.1.15.3.1.3",  # 1 stop, 2 start
    "remote_as": "1.3.6.1.2.1.15.3.1.9",
    "established_s": "1.3.6.1.2.1.15.3.1.16",  # bgpPeerFsmEstablishedTime: seconds in (or since leaving) Established
}
BGP_PATH_PEER = "1.3.6.1.2.1.15.6.1.1"  # bgp4PathAttrPeer, indexed by (prefix 4, length 1, peer 4): paths per peer
BGP_STATES = {1: "idle", 2: "connect", 3: "active", 4: "opensent", 5: "openconfirm", 6: "established"}
# OSPF-MIB ospfNbrTable: rows indexed by (the neighbour's address 4, addressLessIndex 1).
OSPF_NEIGHBOUR = {"router_id": "1.3.6.1.2.1.14.10.1.3", "state": "1.3.6.1.2.1.14.10.1.6"}
OSPF_STATES = {
    1: "down", 2: "attempt", 3: "init", 4: "twoWay", 5: "exchangeStart", 6: "exchange", 7: "loading", 8: "full",
}  # fmt: skip

# Identity beyond the system group: the chassis id LLDP advertises, and ENTITY-MIB's serial numbers.
LLDP_LOCAL_CHASSIS_ID = "1.0.8802.1.1.2.1.3.2.0"
ENT_PHYSICAL_SERIAL = "1.3.6.1.2.1.47.1.1.1.1.11"
# The addresses a device's LLDP neighbours manage themselves on: lldpRemManAddrIfSubtype, indexed by
# (timeMark, localPortNum, remIndex, addrSubtype, addrLen, address...).
LLDP_REMOTE_MANAGEMENT = "1.0.8802.1.1.2.1.4.2.1.3"
# Address tables. IP-MIB ipNetToPhysicalPhysAddress: (ifIndex, addrType, addrLen, address...);
# the older ipNetToMediaPhysAddress: (ifIndex, a, b, c, d).
IP_NET_TO_PHYSICAL = "1.3.6.1.2.1.4.35.1.4"
IP_NET_TO_MEDIA = "1.3.6.1.2.1.4.22.1.2"
# Forwarding tables. BRIDGE-MIB: bridge port -> ifIndex, and MAC -> bridge port;
# Q-BRIDGE-MIB: (VLAN, MAC) -> bridge port, and VLAN names.
DOT1D_BASE_PORT_IF_INDEX = "1.3.6.1.2.1.17.1.4.1.2"
DOT1D_TP_FDB_PORT = "1.3.6.1.2.1.17.4.3.1.2"
DOT1Q_TP_FDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2"
DOT1Q_VLAN_STATIC_NAME = "1.3.6.1.2.1.17.7.1.4.3.1.1"

# ENTITY-MIB entPhysicalTable: the chassis and its modules, power supplies, fans, ports.
ENT_PHYSICAL = {
    "descr": "1.3.6.1.2.1.47.1.1.1.1.2",
    "contained_in": "1.3.6.1.2.1.47.1.1.1.1.4",
    "physical_class": "1.3.6.1.2.1.47.1.1.1.1.5",
    "name": "1.3.6.1.2.1.47.1.1.1.1.7",
    "hardware_rev": "1.3.6.1.2.1.47.1.1.1.1.8",
    "firmware_rev": "1.3.6.1.2.1.47.1.1.1.1.9",
    "software_rev": "1.3.6.1.2.1.47.1.1.1.1.10",
    "serial": "1.3.6.1.2.1.47.1.1.1.1.11",
    "model": "1.3.6.1.2.1.47.1.1.1.1.13",
}
PHYSICAL_CLASSES = {1: "other", 2: "unknown", 3: "chassis", 4: "backplane", 5: "container", 6: "powerSupply",
                    7: "fan", 8: "sensor", 9: "module", 10: "port", 11: "stack", 12: "cpu"}  # fmt: skip
# sysObjectID -> model, for devices whose ENTITY-MIB names none (a few common ones; the vendor
# comes from the enterprise number whatever the model).
MODELS = {
    "1.3.6.1.4.1.8072.3.2.10": "Linux (Net-SNMP agent)",
    "1.3.6.1.4.1.9.1.516": "Catalyst 3750G-48PS",
    "1.3.6.1.4.1.9.1.1208": "Catalyst 2960X-48",
    "1.3.6.1.4.1.2636.1.1.1.2.132": "EX2300-48P",
    "1.3.6.1.4.1.30065.1.3011.7050.3741.48": "DCS-7050TX-48",
}


def model(sys_object_id: str) -> str:
    return MODELS.get(sys_object_id, "")
