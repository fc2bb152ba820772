"""``python -m kwikpaisa``: the same command line as ``kwikpaisa``."""

import sys

from ._cli import main

sys.exit(main())
