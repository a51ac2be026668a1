"""``python -m redline.checks.app.cli``: the ``redline`` command line."""

import sys

from redline.checks.app.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
