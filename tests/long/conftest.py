"""The long tier: outages of several minutes (issues 18 and 19), with real processes.

Each module is marked ``pytestmark = pytest.mark.long``; pyproject's ``addopts`` leaves them out of the
default run (``-m 'not long'``), ``make test-long`` runs them (``-m long tests/long``), after ``make test``
in CI. The two tests mostly wait, so ``-n 2`` runs them side by side. What only shows over minutes runs
with the settings a centre runs with: the link's and the kiosk agent's timers are their defaults, and the
screens' reconnections back off up to their caps.
"""

from tests.e2e.conftest import browser, new_page

__all__ = ["browser", "new_page"]  # the browser tests' Chromium, for the kiosk page through an outage
