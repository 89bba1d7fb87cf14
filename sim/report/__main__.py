"""``python -m sim.report <sweep folder>``."""

import sys

from sim.report import main

sys.exit(main())
