"""Compiling the vendor MIBs administrators upload (pysmi) into Python modules the receiver loads.

pysmi reads what a MIB imports from MIB sources: the uploaded MIBs themselves, and the
base SMI modules (SNMPv2-SMI, -TC, -CONF, SNMPv2-MIB) from MIB_SOURCE_DIRS that exist on
this machine (Debian's erlang-snmp and snmp packages ship them). A MIB whose imports
are not found fails with pysmi's reason, shown in the admin; upload the missing one too.
"""

import glob
import re
from pathlib import Path

from pysmi.codegen import PySnmpCodeGen
from pysmi.compiler import MibCompiler
from pysmi.parser import SmiStarParser
from pysmi.reader import CallbackReader, FileReader
from pysmi.searcher import PyFileSearcher, PyPackageSearcher, StubSearcher
from pysmi.writer import PyFileWriter

from events.mibs import SHIPPED, vendor_dir
from events.models import VendorMib

MAX_BYTES = 2_000_000
MIB_SOURCE_DIRS = ["/usr/share/snmp/mibs", *sorted(glob.glob("/usr/lib/erlang/lib/snmp-*/mibs"))]
_MODULE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s+DEFINITIONS\s*::=\s*BEGIN", re.MULTILINE)


def module_name(text: str) -> str | None:
    match = _MODULE.search(text)
    return match[1] if match else None


def compiler(sources: dict[str, str], out: Path) -> MibCompiler:
    mib_compiler = MibCompiler(SmiStarParser(), PySnmpCodeGen(), PyFileWriter(str(out)))
    readers = [FileReader(d, recursive=False) for d in MIB_SOURCE_DIRS if Path(d).is_dir()]
    mib_compiler.add_sources(CallbackReader(lambda name, _context: sources.get(name)), *readers)
    mib_compiler.add_searchers(StubSearcher(*PySnmpCodeGen.baseMibs))
    # Modules already compiled (pysnmp's, the shipped IETF ones) are not compiled again.
    mib_compiler.add_searchers(PyPackageSearcher("pysnmp.smi.mibs"), PyFileSearcher(str(SHIPPED)))
    return mib_compiler


def compile_all() -> dict[str, str]:
    """Compile every uploaded MIB; record each one's outcome. Returns name -> error ("" compiled)."""
    out = vendor_dir()
    out.mkdir(parents=True, exist_ok=True)
    mibs = list(VendorMib.objects.all())
    sources = {mib.name: mib.source for mib in mibs}
    outcomes = {}
    for mib in mibs:
        results = compiler(sources, out).compile(mib.name, rebuild=True, genTexts=False)
        status = results.get(mib.name)
        error = "" if status in ("compiled", "untouched") else describe(status, results)
        VendorMib.objects.filter(pk=mib.pk).update(compiled=not error, errors=error)
        outcomes[mib.name] = error
    return outcomes


def describe(status, results: dict) -> str:
    missing = sorted(name for name, outcome in results.items() if outcome == "missing")
    reason = getattr(status, "error", None)
    text = getattr(reason, "msg", None) or str(reason or status)
    if missing:
        text += f" (not found: {', '.join(missing)}; upload them too)"
    return text[:2000]
