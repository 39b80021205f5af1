#!/usr/bin/env bash
# The Debian packages the lab network (scripts/lab.py) runs: FRR with its SNMP modules, lldpd, snmpd.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x /usr/lib/frr/bgpd ] || python3 scripts/debian_packages.py frr "the lab's routers run FRR (BGP, OSPF)"
[ -e /usr/lib/x86_64-linux-gnu/frr/modules/bgpd_snmp.so ] || python3 scripts/debian_packages.py frr-snmp "the lab's routers answer BGP4-MIB and OSPF-MIB through FRR's AgentX modules"
[ -x /usr/sbin/lldpd ] || python3 scripts/debian_packages.py lldpd "the lab's routers and switches speak LLDP and serve LLDP-MIB"
[ -x /usr/sbin/snmpd ] || python3 scripts/debian_packages.py snmpd "the lab's routers and switches answer SNMP"
