"""The information elements read from NetFlow v9 and IPFIX records (IANA numbers; v9 shares them below 128).

Every other element, and every enterprise-specific one, is skipped by its length.
"""

BYTES, PACKETS, PROTO, SPORT, SRC4, IN_IF, DPORT, DST4, OUT_IF = 1, 2, 4, 7, 8, 10, 11, 12, 14
SRC6, DST6 = 27, 28
BYTES_TOTAL, PACKETS_TOTAL = 85, 86
SAMPLING_INTERVAL = 34  # v9 SAMPLING_INTERVAL, IPFIX samplingInterval
SAMPLER_RANDOM_INTERVAL = 50  # v9 FLOW_SAMPLER_RANDOM_INTERVAL, IPFIX samplerRandomInterval
SAMPLING_PACKET_INTERVAL = 305  # IPFIX samplingPacketInterval
SAMPLING_RATES = (SAMPLING_INTERVAL, SAMPLER_RANDOM_INTERVAL, SAMPLING_PACKET_INTERVAL)

ADDRESSES = {SRC4: 4, DST4: 4, SRC6: 16, DST6: 16}  # element -> the only length it may have
INTEGERS = {
    BYTES, PACKETS, PROTO, SPORT, DPORT, IN_IF, OUT_IF, BYTES_TOTAL, PACKETS_TOTAL, *SAMPLING_RATES,
}  # fmt: skip
READ = set(ADDRESSES) | INTEGERS

VARIABLE = 65535  # IPFIX: the length is in the record
