"""The ``redline`` command line (the console script ``redline = redline.checks.app.cli:main``).

Exit status: 0 when the run finished (whatever the verdicts), 2 with one message on stderr
when the input cannot be used, 130 when interrupted; ``redline layers validate --strict``
exits 1 when the layers have a problem (an error, not a warning).

:mod:`~redline.checks.app.cli.parser` builds the arguments, the modules of
:mod:`~redline.checks.app.cli.commands` run the commands (screening ones through
:func:`redline.checks.app.run.run_screening`), :mod:`~redline.checks.app.cli.console` prints.
"""

from redline.checks.app.cli.main import main

__all__ = ["main"]
