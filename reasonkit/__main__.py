"""``python -m reasonkit``: the same as the ``reasonkit`` command."""

import sys

from .cli import main

sys.exit(main())
