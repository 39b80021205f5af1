"""Network devices as SNMP polls leave them: the device, its ports and its neighbours.

The tables stay the monitor app's (app label "monitor"); monitor.models registers these
classes with Django.
"""

from django.db import models


class Device(models.Model):
    """What an SNMP check found a host to be. Rewritten at each discovery."""

    host = models.OneToOneField("monitor.Host", on_delete=models.CASCADE, related_name="device")
    sys_name = models.CharField(max_length=255, blank=True)
    sys_descr = models.TextField(blank=True)
    sys_object_id = models.CharField(max_length=255, blank=True)
    vendor = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=255, blank=True)
    uptime_ticks = models.BigIntegerField(default=0)  # sysUpTime at the latest poll, hundredths of a second
    discovered_at = models.DateTimeField()
    restarted_at = models.DateTimeField(null=True, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.sys_name or str(self.host)


class Interface(models.Model):
    """One port of a device, as its latest SNMP poll left it. Rates are per second over the last two polls."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="interfaces")
    index = models.PositiveIntegerField()  # ifIndex
    name = models.CharField(max_length=100)
    alias = models.CharField(max_length=200, blank=True)
    if_type = models.PositiveIntegerField(default=0)  # IANAifType
    speed_bps = models.BigIntegerField(null=True)
    admin_up = models.BooleanField(default=True)
    oper_status = models.CharField(max_length=20, default="unknown")
    oper_changed_at = models.DateTimeField(null=True)
    in_bps = models.FloatField(null=True)
    out_bps = models.FloatField(null=True)
    in_pps = models.FloatField(null=True)  # unicast + multicast + broadcast
    out_pps = models.FloatField(null=True)
    errors_per_s = models.FloatField(null=True)  # in + out
    discards_per_s = models.FloatField(null=True)
    utilisation_pct = models.FloatField(null=True)  # the busier direction, of speed
    polled_at = models.DateTimeField()
    # The raw counters of the latest poll and their width (32 or 64 bits), for the next rates.
    counters = models.JSONField(default=dict)
    counter_bits = models.PositiveSmallIntegerField(default=64)

    class Meta:
        ordering = ["host", "index"]
        constraints = [models.UniqueConstraint(fields=["host", "index"], name="one_interface_per_index")]

    def __str__(self) -> str:
        return f"{self.host} {self.name}"


class Neighbour(models.Model):
    """A device seen at the other end of one of a device's ports (LLDP or CDP), as last read."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="neighbours")
    protocol = models.CharField(max_length=4)  # lldp, cdp
    local_port = models.CharField(max_length=100)
    remote_name = models.CharField(max_length=255)
    remote_port = models.CharField(max_length=100, blank=True)
    remote_platform = models.CharField(max_length=100, blank=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["host", "local_port", "remote_name"]

    def __str__(self) -> str:
        return f"{self.host} {self.local_port} -> {self.remote_name} {self.remote_port}"


class RoutingSession(models.Model):
    """A BGP peer or OSPF neighbour of a device, as its latest poll left it."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="routing_sessions")
    protocol = models.CharField(max_length=4)  # bgp, ospf
    peer = models.CharField(max_length=45)  # the peer's address
    state = models.CharField(max_length=16)  # established, active, idle … / full, init, twoWay …
    up = models.BooleanField(default=False)  # BGP established, OSPF full
    admin_down = models.BooleanField(default=False)  # BGP: shut down on this side
    remote_as = models.BigIntegerField(null=True)
    router_id = models.CharField(max_length=45, blank=True)
    prefixes = models.PositiveIntegerField(null=True)  # BGP: paths received
    established_s = models.PositiveIntegerField(null=True)  # BGP: seconds in Established, or since it left it
    changed_at = models.DateTimeField()  # when the state last changed
    polled_at = models.DateTimeField()

    class Meta:
        ordering = ["host", "protocol", "peer"]
        constraints = [
            models.UniqueConstraint(fields=["host", "protocol", "peer"], name="one_routing_session_per_peer")
        ]

    def __str__(self) -> str:
        return f"{self.host} {self.protocol} {self.peer}: {self.state}"


class ForwardingEntry(models.Model):
    """A MAC address a switch forwards to one of its ports (BRIDGE-MIB, Q-BRIDGE-MIB). Rows are
    kept after the MAC moves or ages out: last_seen_at says when it was last there."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="forwarding_entries")
    mac = models.CharField(max_length=17, db_index=True)  # aa:bb:cc:dd:ee:ff
    vlan = models.PositiveIntegerField(default=0)  # 0: the table gives none (BRIDGE-MIB)
    if_index = models.PositiveIntegerField(null=True)
    port = models.CharField(max_length=100, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [models.UniqueConstraint(fields=["host", "mac", "vlan", "port"], name="one_forwarding_entry")]

    def __str__(self) -> str:
        return f"{self.mac} on {self.host} {self.port} (VLAN {self.vlan})"


class AddressEntry(models.Model):
    """An IP address and the MAC behind it, as a device's ARP or IPv6 neighbour table holds it (IP-MIB)."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="address_entries")
    ip = models.CharField(max_length=45, db_index=True)
    mac = models.CharField(max_length=17, db_index=True)
    if_index = models.PositiveIntegerField(null=True)
    port = models.CharField(max_length=100, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [models.UniqueConstraint(fields=["host", "ip", "mac"], name="one_address_entry")]

    def __str__(self) -> str:
        return f"{self.ip} is {self.mac} at {self.host}"


class InventoryItem(models.Model):
    """A physical component of a device (ENTITY-MIB): the chassis, a module, a power supply, a fan."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="inventory")
    index = models.PositiveIntegerField()  # entPhysicalIndex
    physical_class = models.CharField(max_length=20)
    name = models.CharField(max_length=255, blank=True)
    descr = models.CharField(max_length=255, blank=True)
    model = models.CharField(max_length=255, blank=True)
    serial = models.CharField(max_length=255, blank=True)
    hardware_rev = models.CharField(max_length=255, blank=True)
    firmware_rev = models.CharField(max_length=255, blank=True)
    software_rev = models.CharField(max_length=255, blank=True)
    contained_in = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["host", "index"]
        constraints = [models.UniqueConstraint(fields=["host", "index"], name="one_inventory_item_per_index")]

    def __str__(self) -> str:
        return f"{self.host} {self.name or self.descr}"


class InventoryEvent(models.Model):
    """A change to a device's inventory, with its time: a module added or removed, firmware upgraded."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="inventory_events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=8)  # added, removed, changed
    component = models.CharField(max_length=255)
    field = models.CharField(max_length=20, blank=True)
    before = models.CharField(max_length=255, blank=True)
    after = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.host} {self.kind} {self.component} {self.field}".strip()


class Vlan(models.Model):
    """A VLAN a switch knows (Q-BRIDGE-MIB dot1qVlanStaticName), as last read."""

    host = models.ForeignKey("monitor.Host", on_delete=models.CASCADE, related_name="vlans")
    vid = models.PositiveIntegerField()
    name = models.CharField(max_length=100, blank=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["host", "vid"]
        constraints = [models.UniqueConstraint(fields=["host", "vid"], name="one_vlan_per_id")]

    def __str__(self) -> str:
        return f"{self.host} VLAN {self.vid} {self.name}".strip()
