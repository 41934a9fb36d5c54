"""The bench's short table and docs/performance.md (generated figures above the notes marker; the
hand-written notes below it are kept from one run to the next)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTES = "<!-- notes: written by hand, kept when the bench rewrites this file -->"


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, margin, met?) for each target the bench can judge."""
    rows: list[tuple[str, str, str, bool | None]] = []
    for engine, figures in results.get("issue", {}).items():
        if "skipped" in figures:
            continue
        ratio = figures["median_vs_floor"]
        rows.append(
            (
                f"issue median ≤ 2× floor ({engine})",
                f"{figures['luot_sequential']['median_ms']} ms = {ratio}× "
                f"{figures['floor_sequential']['median_ms']} ms",
                f"{ratio / 2:.2f}× the target" if ratio > 2 else "met",
                ratio <= 2,
            )
        )
        p99 = figures["luot_20_kiosks"]["p99_ms"]
        rows.append(
            (
                f"issue p99 ≤ 25 ms, 20 kiosks ({engine})",
                f"{p99} ms (floor {figures['floor_20_kiosks']['p99_ms']} ms)",
                f"{p99 / 25:.1f}× the target" if p99 > 25 else "met",
                p99 <= 25,
            )
        )
    for engine, figures in results.get("clerks", {}).items():
        if "skipped" in figures:
            continue
        ratio = figures["clerks_p99_vs_idle"] or 0.0
        rows.append(
            (
                f"clerks' p99 under 30 kiosks ≤ 3× idle ({engine})",
                f"{figures['clerks_busy']['p99_ms']} ms = {ratio}× {figures['clerks_idle']['p99_ms']} ms",
                f"{ratio / 3:.2f}× the target" if ratio > 3 else "met",
                ratio <= 3,
            )
        )
        share = figures["issue_throughput_vs_floor"] or 0.0
        rows.append(
            (
                f"issue throughput meanwhile ≥ floor's 20 kiosks ÷ 2 ({engine})",
                f"{figures['kiosks_busy']['throughput_per_s']}/s = {share}× "
                f"{figures['floor_20_kiosks']['throughput_per_s']}/s",
                f"{0.5 / share:.2f}× short" if share < 0.5 else "met",
                share >= 0.5,
            )
        )
    rows += _mode_targets(results.get("modes", {}))
    luot = results.get("realtime", {}).get("luot", {})
    floor = results.get("realtime", {}).get("floor", {})
    for name, limit in (("1000_clients_50_rooms", 50), ("1000_clients_1_room", 250)):
        if name in luot:
            p99 = luot[name]["p99_ms"]
            rows.append(
                (
                    f"call → display p99 ≤ {limit} ms, {name.replace('_', ' ')}",
                    f"{p99} ms (floor {floor.get(name, {}).get('p99_ms')} ms)",
                    f"{p99 / limit:.1f}× the target" if p99 > limit else "met",
                    p99 <= limit,
                )
            )
    stats = results.get("stats", {})
    for engine in ("sqlite", "postgresql"):
        if engine in stats:
            median = stats[engine]["year_stats_s"]["median"]
            rows.append(
                (
                    f"a year's statistics < {stats['limit_s']:g} s ({engine})",
                    f"{median} s (floor {stats[engine]['floor_count_s']['median']} s)",
                    f"{median / stats['limit_s']:.1f}× the target" if median >= stats["limit_s"] else "met",
                    median < stats["limit_s"],
                )
            )
    soak = results.get("soak")
    if soak:
        growth = soak["growth_after_warm_up_pct"]
        rows.append(
            (
                f"soak of {soak.get('days', 1)} days: memory within 5 % of its post-warm-up value",
                f"{soak['rss_mb_after_warm_up']} → {soak['rss_mb_end']} MB ({growth:+} %)",
                f"{growth / 5:.1f}× the allowance (see the soak's traced lines)" if growth > 5 else "met",
                growth <= 5,
            )
        )
    return rows


def _mode_targets(modes: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """gevent: 10,000 idle clients at ≤ 60 KB each with HTTP answering; one-room p99 ≤ 1.5× its floor."""
    rows: list[tuple[str, str, str, bool | None]] = []
    steps = modes.get("capacity_gevent", {}).get("steps", [])
    if steps:
        last = steps[-1]
        held, kb, http = last["connected"], last["kb_per_connection"], last.get("http_ms")
        met = held >= 10000 and kb <= 60 and http is not None
        rows.append(
            (
                "gevent: 10,000 idle clients, ≤ 60 KB each, HTTP answering",
                f"{held} held at {kb} KB each, HTTP {http if http is not None else 'no answer'} ms",
                f"{held} held, {kb / 60:.2f}× the memory" if not met else "met",
                met,
            )
        )
    luot, floor = modes.get("broadcast_gevent"), modes.get("broadcast_gevent_floor")
    if luot and floor and floor.get("p99_ms"):
        ratio = round(luot["p99_ms"] / floor["p99_ms"], 2)
        rows.append(
            (
                "gevent: call → display p99 ≤ 1.5× floor, 1000 clients 1 room",
                f"{luot['p99_ms']} ms = {ratio}× {floor['p99_ms']} ms",
                f"{ratio / 1.5:.2f}× the target" if ratio > 1.5 else "met",
                ratio <= 1.5,
            )
        )
    return rows


def _mode_rows(modes: dict[str, Any]) -> list[str]:
    rows = []
    for mode in ("threading", "gevent"):
        figures = modes.get(f"capacity_{mode}", {})
        for s in figures.get("steps", []):
            rows.append(
                f"| {mode} | {s['asked']} | {s['connected']} | {s['failed']} | {s['rss_mb']} "
                f"| {s['threads']} | {s['kb_per_connection']} | {s.get('http_ms')} |"
            )
    return rows


def _memory_rows(memory: dict[str, Any] | None) -> list[str]:
    """Where an idle connection's memory goes under gevent: tracemalloc, line by line."""
    if not memory:
        return []
    return [
        "",
        f"Under tracemalloc, {memory['clients']} more idle gevent clients: "
        f"{memory['traced_kb_per_connection']} KB traced per connection; the lines that allocated most:",
        "",
        "| where | bytes per connection | blocks per connection |",
        "| --- | --- | --- |",
        *[
            f"| `{row['where']}` | {row['bytes_per_connection']} | {row['blocks_per_connection']} |"
            for row in memory["top_lines"]
        ],
    ]


def _soak_trace_rows(soak: dict[str, Any]) -> list[str]:
    """What grew between the soak's warm-up and its end, under tracemalloc, line by line."""
    if "top_lines" not in soak:
        return []
    return [
        "",
        "The server ran under tracemalloc (its RSS above includes tracemalloc's own bookkeeping). Traced "
        f"memory grew by {soak['traced_growth_kb']} KB from warm-up to the end, "
        f"{soak['traced_growth_kb_per_1000_tickets']} KB per 1,000 tickets served; the lines that grew or "
        "shrank most:",
        "",
        "| where | bytes per 1,000 tickets | blocks per 1,000 tickets |",
        "| --- | --- | --- |",
        *[
            f"| `{row['where']}` | {row['bytes_per_1000_tickets']} | {row['blocks_per_1000_tickets']} |"
            for row in soak["top_lines"]
        ],
    ]


def _issue_rows(results: dict[str, Any]) -> list[str]:
    lines = []
    for engine, figures in results.get("issue", {}).items():
        if "skipped" in figures:
            lines.append(f"| {engine} | skipped: {figures['skipped']} | | | | |")
            continue
        for who in ("luot", "floor"):
            seq, many = figures[f"{who}_sequential"], figures[f"{who}_20_kiosks"]
            lines.append(
                f"| {engine} | {who} | {seq['median_ms']} | {seq['p99_ms']} | {many['throughput_per_s']} "
                f"| {many['median_ms']} / {many['p99_ms']} |"
            )
    return lines


def _clerk_rows(results: dict[str, Any]) -> list[str]:
    lines = []
    for engine, f in results.get("clerks", {}).items():
        if "skipped" in f:
            lines.append(f"| {engine} | skipped: {f['skipped']} | | | | |")
            continue
        idle, busy, kiosks = f["clerks_idle"], f["clerks_busy"], f["kiosks_busy"]
        lines.append(
            f"| {engine} | {idle['median_ms']} / {idle['p99_ms']} | {busy['median_ms']} / {busy['p99_ms']} "
            f"| {kiosks['throughput_per_s']} | {kiosks['median_ms']} / {kiosks['p99_ms']} "
            f"| {f['floor_20_kiosks']['throughput_per_s']} |"
        )
    return lines


def _realtime_rows(results: dict[str, Any]) -> list[str]:
    lines = []
    realtime = results.get("realtime", {})
    for who in ("luot", "floor"):
        for name, r in realtime.get(who, {}).items():
            lines.append(
                f"| {who} | {name.replace('_', ' ')} | {r['median_ms']} | {r['p99_ms']} | {r['deliveries']} "
                f"| {r['missing']} | {r.get('rss_mb', '')} | {r.get('kb_per_connection', '')} |"
            )
    for name, r in realtime.get("two_processes_redis", {}).items():
        if isinstance(r, dict):
            lines.append(
                f"| luot, 2 processes + Redis | {name.replace('_', ' ')} | {r['median_ms']} | {r['p99_ms']} "
                f"| {r['deliveries']} | {r['missing']} | {r.get('rss_mb', '')} "
                f"| {r.get('kb_per_connection', '')} |"
            )
    return lines


def table(results: dict[str, Any]) -> str:
    lines = ["target | measured | verdict", "--- | --- | ---"]
    for target, measured, margin, met in targets(results):
        lines.append(f"{target} | {measured} | {'ok' if met else 'MISSED: ' + margin}")
    return "\n".join(lines)


def write_markdown(results: dict[str, Any], path: Path) -> None:
    kept = ""
    if path.exists() and NOTES in path.read_text(encoding="utf-8"):
        kept = path.read_text(encoding="utf-8").split(NOTES, 1)[1]
    m = results["machine"]
    out = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m bench`); the figures between here and the notes are written by",
        "the bench itself. Each figure has its floor: the same work done by a bare Flask route or a bare",
        "Flask-SocketIO server on the same stack, served by the same gunicorn worker as `luot serve`,",
        "measured in the same run on the same machine.",
        "",
        f"Run {results['when']}{' (quick run)' if results.get('quick') else ''}, {results.get('seconds')} s.",
        "",
        "## Machine",
        "",
        f"- {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gb']} GB RAM, {m['os']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m.get('postgresql') or 'not used'}",
        f"- load average (1, 5, 15 min) at start {tuple(round(x, 2) for x in m['load_average_at_start'])}, "
        f"at end {tuple(round(x, 2) for x in m['load_average_at_end'])}",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
    ]
    for target, measured, margin, met in targets(results):
        out.append(f"| {target} | {measured} | {'met' if met else 'missed: ' + margin} |")
    if "issue" in results:
        out += [
            "",
            "## Ticket issue over HTTP",
            "",
            "Sequential: one kiosk, one request after the other. 20 kiosks: each a thread with its own",
            "keep-alive connection issuing as fast as answers come back.",
            "",
            "| engine | server | sequential median ms | sequential p99 ms | 20 kiosks tickets/s "
            "| 20 kiosks median / p99 ms |",
            "| --- | --- | --- | --- | --- | --- |",
            *_issue_rows(results),
        ]
    if "clerks" in results:
        out += [
            "",
            "## Clerks while the kiosks issue",
            "",
            "Four clerks call, start and complete, first on an idle server, then while 30 kiosk threads",
            "(3 at each of 10 sites of one process) issue as fast as answers come back.",
            "",
            "| engine | clerks idle median / p99 ms | clerks busy median / p99 ms | kiosks tickets/s "
            "| kiosks median / p99 ms | floor 20 kiosks tickets/s |",
            "| --- | --- | --- | --- | --- | --- |",
            *_clerk_rows(results),
        ]
    if "realtime" in results:
        out += [
            "",
            "## Call → `ticket.called` received",
            "",
            "From just before the clerk's `call-next` request leaves to when each client in the site's room",
            "has read the event. Clients: asyncio websocket clients in separate processes (bench/swarm.py).",
            "",
            "| server | clients | median ms | p99 ms | deliveries | missing | server RSS MB "
            "| KB per connection |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *_realtime_rows(results),
        ]
    if "modes" in results:
        modes = results["modes"]
        out += [
            "",
            "## Threading or gevent",
            "",
            "Idle display clients held by one `luot serve` in each mode (each step adds clients to those",
            "already held), and one `GET /api/v1/sites` timed while they are held. Then call → display to",
            "1,000 clients in one room under gevent, against a bare Flask-SocketIO server under gunicorn's",
            "gevent worker.",
            "",
            "| mode | asked | connected | failed | RSS MB | threads | KB per connection | HTTP ms |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *_mode_rows(modes),
            *_memory_rows(modes.get("connection_memory_gevent")),
            "",
            "| server | median ms | p99 ms | deliveries | missing |",
            "| --- | --- | --- | --- | --- |",
            *[
                f"| {who} | {r['median_ms']} | {r['p99_ms']} | {r['deliveries']} | {r['missing']} |"
                for who, r in (
                    ("luot, gevent", modes.get("broadcast_gevent")),
                    ("floor, gevent", modes.get("broadcast_gevent_floor")),
                )
                if r
            ],
        ]
    if "stats" in results:
        st = results["stats"]
        out += [
            "",
            "## Statistics for a year",
            "",
            f"A year of one busy site ({st['tickets']:,} tickets with their events, bulk inserted; "
            "bench/stats_year.py), then the manager's year report (every figure of "
            "`GET /api/v1/sites/{id}/stats`). Floor: a bare `count(*)` over the same year's events.",
            "",
            "| database | events | year report, best s | median s | floor median s |",
            "| --- | --- | --- | --- | --- |",
            *[
                f"| {engine} | {st[engine]['rows'].get('events', '')} | {st[engine]['year_stats_s']['best']} "
                f"| {st[engine]['year_stats_s']['median']} | {st[engine]['floor_count_s']['median']} |"
                for engine in ("sqlite", "postgresql")
                if engine in st
            ],
        ]
    if "peer" in results:
        p = results["peer"]
        out += ["", "## The peer (FQM)", ""]
        if "skipped" in p:
            out.append(f"Skipped: {p['skipped']}.")
        else:
            out.append(
                f"Sequential ticket issue against {p['url']}: median {p['sequential']['median_ms']} ms, "
                f"p99 {p['sequential']['p99_ms']} ms."
            )
    if "soak" in results:
        s = results["soak"]
        out += [
            "",
            f"## Soak: {s.get('days', 1)} × a 10-hour day, compressed",
            "",
            f"{s['sites']} sites × {s.get('days', 1)} days × {s['visitors_per_site']} visitors = "
            f"{s['tickets_issued']} tickets issued, "
            f"{s['tickets_served']} called, started and completed, with {s['displays']} displays connected, "
            "in "
            f"{s['seconds']} s ({s['speed_up']}× real time); {s['errors']} errors.",
            "",
            f"Server memory: {s['rss_mb_start']} MB at start, {s['rss_mb_after_warm_up']} MB after warming "
            "up, "
            f"{s['rss_mb_end']} MB at the end (max {s['rss_mb_max']} MB): "
            f"{s['growth_after_warm_up_pct']} % after warm-up.",
            *_soak_trace_rows(s),
        ]
    out += ["", NOTES]
    path.write_text("\n".join(out) + (kept if kept else "\n"), encoding="utf-8")
