"""``python -m server`` runs the ``luot`` command."""

from .cli import main

main()
