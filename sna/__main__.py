"""Entry point of ``python -m sna``."""

import sys

from .cli import main

sys.exit(main())
