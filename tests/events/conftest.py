import shutil

import pytest

from tests.servers import free_port


@pytest.fixture
def ports():
    """(trap port, syslog port): free on loopback for UDP and TCP."""
    for tool in ("snmptrap", "snmpinform", "logger"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: scripts/test.sh installs it (Debian packages snmp, bsdutils)")
    return free_port(), free_port()
