"""Network devices in one place: what an SNMP poll finds and how it is kept.

- models: Device, Interface (a port) and Neighbour, the tables a poll rewrites.
- snmp/: the protocol side: a small client over v2c and v3, the MIB objects read,
  discovery and polling of one device, its LLDP and CDP neighbours.
- ports: recording a poll: the device's facts, each port's state and rates per second.

The snmp check kind (monitor.checks.snmp) runs a poll and hands it on; the results
recorder saves it through ports. What comes next lives here too: an inventory of
devices (modules, serial numbers), their forwarding and ARP tables, and the events
they send (traps, syslog).
"""
