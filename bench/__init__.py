"""Lượt's benchmarks: ticket issuing over HTTP, call → display latency over Socket.IO, connections and
memory per process, the FQM peer, and a soak run. ``python -m bench`` (or ``make bench``) runs them all,
prints JSON and a short table, and writes docs/performance.md. Every figure comes with its floor (the
same work done by a bare Flask or Socket.IO server) measured in the same run."""
