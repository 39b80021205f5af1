import sys

from netmon_agent.cli import main

sys.exit(main())
