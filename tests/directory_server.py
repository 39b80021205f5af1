"""A private OpenLDAP server (Debian's slapd) on a free loopback port, for sign-in tests.

Its configuration (slapd.conf), database and socket live in a temporary directory;
entries are loaded and changed with ldap-utils' ldapadd and ldapmodify, as an
administrator of a directory would.
"""

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers import free_port, wait_for
from tests.waits import EVENT_TIMEOUT_S

SUFFIX = "dc=example,dc=test"
MANAGER_DN = f"cn=manager,{SUFFIX}"
MANAGER_PASSWORD = "manager secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"

CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {directory}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{manager}"
rootpw "{password}"
directory {directory}/data
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""


def base_entries() -> str:
    return f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: {PEOPLE}
objectClass: organizationalUnit
ou: people

dn: {GROUPS}
objectClass: organizationalUnit
ou: groups
"""


def person(uid: str, password: str) -> str:
    return f"""dn: uid={uid},{PEOPLE}
objectClass: inetOrgPerson
uid: {uid}
cn: {uid.title()} Example
givenName: {uid.title()}
sn: Example
mail: {uid}@example.test
userPassword: {password}
"""


def group(name: str, *members: str) -> str:
    # groupOfNames must hold a member: a placeholder lets a test remove the last person.
    lines = "".join(f"member: uid={uid},{PEOPLE}\n" for uid in members) + f"member: cn=nobody,{SUFFIX}\n"
    return f"dn: cn={name},{GROUPS}\nobjectClass: groupOfNames\ncn: {name}\n{lines}"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


class PrivateSlapd:
    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        (self.directory / "data").mkdir(exist_ok=True)
        config = self.directory / "slapd.conf"
        config.write_text(
            CONFIG.format(directory=self.directory, suffix=SUFFIX, manager=MANAGER_DN, password=MANAGER_PASSWORD)
        )
        # -d keeps it in the foreground, a child this test can stop.
        command = [SLAPD, "-f", str(config), "-h", f"{self.uri}/", "-d", "0"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, EVENT_TIMEOUT_S, f"slapd on port {self.port}")

    def answers(self) -> bool:
        command = ["ldapsearch", "-x", "-H", self.uri, "-s", "base", "-b", "", "-o", "nettimeout=1"]
        return subprocess.run(command, capture_output=True).returncode == 0

    def ldap(self, tool: str, ldif: str) -> None:
        """ldapadd or ldapmodify `ldif`, bound as the directory's manager."""
        command = [tool, "-x", "-H", self.uri, "-D", MANAGER_DN, "-w", MANAGER_PASSWORD]
        subprocess.run(command, input=ldif.encode(), check=True, capture_output=True)

    def add(self, *entries: str) -> None:
        self.ldap("ldapadd", "\n".join(entries))

    def add_member(self, group_name: str, uid: str) -> None:
        self.ldap(
            "ldapmodify", f"dn: {group_dn(group_name)}\nchangetype: modify\nadd: member\nmember: uid={uid},{PEOPLE}\n"
        )

    def remove_member(self, group_name: str, uid: str) -> None:
        self.ldap(
            "ldapmodify",
            f"dn: {group_dn(group_name)}\nchangetype: modify\ndelete: member\nmember: uid={uid},{PEOPLE}\n",
        )

    def delete(self, dn: str) -> None:
        command = ["ldapdelete", "-x", "-H", self.uri, "-D", MANAGER_DN, "-w", MANAGER_PASSWORD, dn]
        subprocess.run(command, check=True, capture_output=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(EVENT_TIMEOUT_S)

    def environment(self) -> dict[str, str]:
        """The variables that point NetWorkMonitor at this directory (docs/features/sign-in.md)."""
        roles = ";".join(f"{role}={group_dn(role + 's')}" for role in ("admin", "operator", "viewer"))
        return {
            "LDAP_SERVER_URI": self.uri,
            "LDAP_BIND_DN": MANAGER_DN,
            "LDAP_BIND_PASSWORD": MANAGER_PASSWORD,
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            "LDAP_GROUP_SEARCH_BASE": GROUPS,
            "LDAP_ROLE_GROUPS": roles,
        }


@contextmanager
def private_slapd() -> Iterator[PrivateSlapd]:
    with tempfile.TemporaryDirectory(prefix="netmon-slapd-") as directory:
        server = PrivateSlapd(Path(directory))
        server.start()
        try:
            server.add(base_entries())
            yield server
        finally:
            server.stop()
