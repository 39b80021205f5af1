"""SNMP, the protocol side: requests and answers, the MIB objects read, discovery and polling.

Nothing here knows of checks or the database: a poll is plain data (discovery.DevicePoll).
"""
