class SnmpFailed(Exception):
    """The device did not answer, or answered with an error; the message says which, for an operator.

    It never holds credentials. The snmp check kind reports it as the check's failure.
    """
