"""Entry point for ``python -m onestop_desk``."""

import sys

from onestop_desk.cli import main

sys.exit(main())
