"""OIDs by name (IF-MIB::linkDown), from the MIBs pysnmp ships, the IETF and IANA MIBs that
pysnmp-mibs ships compiled (IF-MIB, ENTITY-MIB, BGP4-MIB, OSPF-TRAP-MIB, ...), and the
vendor MIBs administrators uploaded, compiled with pysmi into VENDOR_MIB_DIR.

Lookups are cached: a storm of one trap kind costs one MIB walk.
"""

import functools
import logging
import warnings
from pathlib import Path

import pysnmp_mibs
from django.conf import settings
from pysnmp.smi import builder, view

logger = logging.getLogger(__name__)

SHIPPED = Path(pysnmp_mibs.__file__).resolve().parent
# Whole modules loaded at start; others are loaded when a lookup misses (uploads).
STANDARD = ("SNMPv2-MIB", "IF-MIB", "ENTITY-MIB", "ENTITY-STATE-MIB", "BGP4-MIB", "OSPF-TRAP-MIB")


def vendor_dir() -> Path:
    return Path(settings.VENDOR_MIB_DIR)


class Names:
    def __init__(self) -> None:
        self._builder = builder.MibBuilder()
        sources = [builder.DirMibSource(str(SHIPPED)), builder.DirMibSource(str(vendor_dir()))]
        self._builder.add_mib_sources(*sources)
        for module in STANDARD:
            self.load(module)
        self._load_vendor_modules()
        self._view = view.MibViewController(self._builder)
        self.name = functools.lru_cache(maxsize=65_536)(self._name)

    def load(self, module: str) -> bool:
        try:
            with warnings.catch_warnings():  # compiled modules call pysnmp's older camelCase names
                warnings.simplefilter("ignore", DeprecationWarning)
                self._builder.load_modules(module)
        except Exception as error:  # a missing or broken module leaves its OIDs as numbers
            logger.warning("MIB %s not loaded: %s", module, error)
            return False
        return True

    def load_vendor(self) -> None:
        """Every compiled vendor MIB, again (after an upload)."""
        self._load_vendor_modules()
        self.name.cache_clear()

    def _load_vendor_modules(self) -> None:
        for path in sorted(vendor_dir().glob("*.py")):
            self.load(path.stem)

    def _name(self, oid: str) -> str:
        """ "MIB::symbol" with the index after it ("IF-MIB::ifIndex.2"), or the OID when no MIB knows it."""
        try:
            arcs = tuple(int(arc) for arc in oid.split("."))
            module, symbol, suffix = self._view.get_node_location(arcs)
        except Exception:
            return oid
        if module in ("SNMPv2-SMI", "RFC1155-SMI"):  # only the tree's roots: no better than the number
            return oid
        name = f"{module}::{symbol}"
        return f"{name}.{'.'.join(map(str, suffix))}" if suffix else name


@functools.cache
def names() -> Names:
    return Names()
