"""``python -m server.cli`` runs the ``luot`` command (the tests start their servers this way)."""

from . import main

main()
