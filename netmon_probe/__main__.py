import sys

from netmon_probe.cli import main

sys.exit(main())
