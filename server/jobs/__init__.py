"""Background jobs: the installation's one scheduler (APScheduler 3.x) and its sweeper."""
