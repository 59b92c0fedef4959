#!/usr/bin/env python3
"""The table of scripts/bench/compare.sh: reads its results file (lines `system key value…`),
prints figure | Rondone | Gnocchi | ratio | aim | met? as Markdown, with the client's CPU
beside the servers' and a check that both systems answered the same values, and with
--doc replaces the text between the compare markers of docs/BENCHMARKS.md (appending the
markers at the end if they are missing)."""

import argparse
import datetime
import json
import os
import platform
import sys

BEGIN = "<!-- compare.sh results: begin (generated, do not edit by hand) -->"
END = "<!-- compare.sh results: end -->"


def load(path):
    values = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3:
            values[(parts[0], parts[1])] = parts[2:]
    return values


def number(text):
    value = float(text)
    return int(value) if value == int(value) and abs(value) >= 100 else value


def fmt(value):
    if value is None:
        return "—"
    if abs(value) >= 1e6:
        return "%.2f M" % (value / 1e6)
    if abs(value) >= 1e4:
        return "%.1f k" % (value / 1e3)
    if abs(value) >= 100:
        return "{:,}".format(round(value)).replace(",", " ")
    return "%.3g" % value


def machine():
    model = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) / 1024 / 1024
    return "%d × %s, %.1f GiB RAM, Linux %s" % (os.cpu_count(), model, memory, platform.release())


def write_between(path, begin, end, section):
    """Replaces the text between the markers `begin` and `end` of the file (appending the
    markers at the end if they are missing)."""
    doc = open(path).read()
    if begin in doc and end in doc:
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        doc = head + begin + "\n\n" + section + "\n\n" + end + tail
    else:
        doc = doc.rstrip("\n") + "\n\n" + begin + "\n\n" + section + "\n\n" + end + "\n"
    with open(path, "w") as out:
        out.write(doc)
    print("written to %s" % path, file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", default="scripts/bench/compare.sh")
    parser.add_argument("--params", default="")
    parser.add_argument("--doc")
    args = parser.parse_args()
    values = load(args.results)

    def get(system, key, index=0):
        cell = values.get((system, key))
        return number(cell[index]) if cell else None

    rows = []  # (figure, key, higher_is_better, aim)

    def row(figure, key, aim=None, r_key=None, g_key=None):
        r = get("rondone", r_key or key)
        g = get("gnocchi", g_key or key)
        ratio = r / g if r is not None and g else None
        met = "—"
        if aim is not None:
            verdict = aim(r, ratio)
            if verdict is not None:
                met = "yes" if verdict else "**no**"
        notes = []
        for system, name in (("rondone", "Rondone"), ("gnocchi", "Gnocchi")):
            k = r_key if system == "rondone" and r_key else g_key if system == "gnocchi" and g_key else key
            if k.startswith("processing.") and (system, "partial." + k) in values:
                notes.append("%s partial" % name)
        rows.append((figure + (" (%s)" % ", ".join(notes) if notes else ""), r, g, ratio, met))

    def at_least(x):
        return lambda r, ratio: None if ratio is None else ratio >= x

    def at_most(x):
        return lambda r, ratio: None if ratio is None else ratio <= x

    scale = sorted({int(k.split(".")[2]) for (s, k) in values if k.startswith("ingest.batch.")})
    first = scale[0] if scale else 1000
    aims = {}
    row("ingest, batch 10 metrics × 100 (`POST /v1/batch/metrics/measures`), measures/s", "ingest.batch.%d" % first, at_least(10))
    aims[len(rows) - 1] = "≥ 10×"
    row("ingest, one metric × 1 000 (`POST /v1/metric/{id}/measures`), measures/s", "ingest.single1000", at_least(10))
    aims[len(rows) - 1] = "≥ 10×"
    row("ingest, one metric × 1, measures/s", "ingest.single1", at_least(10))
    aims[len(rows) - 1] = "≥ 10×"
    row("processing, batch ingest start → backlog 0, measures/s", "processing.batch.%d" % first, at_least(10))
    aims[len(rows) - 1] = "≥ 10×"
    row("read one metric, a day at 1 minute (1 440 points), requests/s", "read_metric.%d" % first, at_least(20))
    aims[len(rows) - 1] = "≥ 20×"
    row("`POST /v1/aggregates` mean of 100 metrics, a day at 1 minute, requests/s", "aggregates.%d" % first, at_least(20))
    aims[len(rows) - 1] = "≥ 20×"
    for n in scale:
        for key, label in (("ingest.batch", "ingest, measures/s"), ("processing.batch", "processing, measures/s"),
                           ("read_metric", "read one metric, requests/s"), ("aggregates", "aggregates of 100, requests/s")):
            base = get("rondone", "%s.%d" % (key, first))

            def curve(r, ratio, base=base):
                if n == first or r is None or not base:
                    return None
                return abs(r / base - 1) <= 0.2
            row("scale %s metrics: %s" % ("{:,}".format(n).replace(",", " "), label), "%s.%d" % (key, n), curve)
            aims[len(rows) - 1] = "Rondone within ±20 %% of %s" % "{:,}".format(first).replace(",", " ") if n != first else ""
            if n != first:
                r = get("rondone", "%s.%d" % (key, n))
                rows[-1] = rows[-1][:4] + (rows[-1][4] + (" (%+.0f %%)" % ((r / base - 1) * 100) if r and base else ""),)
    row("disk, a full day at 1 s: bytes per stored point, whole data directory (du)", "disk.full.bpp",
        lambda r, ratio: None if r is None else r <= 1.5)
    aims[len(rows) - 1] = "Rondone ≤ 1.5 (moonshot ≤ 1.0)"
    row("disk, full day at 1 s: the same, apparent size", "disk.full.bpp_apparent")
    sparse_r, sparse_g = get("rondone", "disk.sparse.metrics"), get("gnocchi", "disk.sparse.metrics")
    row("disk, sparse (Rondone at %s, Gnocchi at %s metrics): bytes per metric (du)" % (fmt(sparse_r), fmt(sparse_g)),
        "disk.sparse.bytes_per_metric",
        lambda r, ratio: None if r is None or (sparse_r or 0) < 100000 else r < 1024)
    aims[len(rows) - 1] = "Rondone < 1 KB at 100 000"
    row("disk, sparse: bytes per stored point (du)", "disk.sparse.bpp")
    row("memory, peak RSS summed over every process (MiB)", "memory.rss_mb", at_most(0.1))
    aims[len(rows) - 1] = "≤ 0.1×"
    row("memory, peak PSS summed (shared pages split) (MiB)", "memory.pss_mb")

    lines = ["| figure | Rondone | Gnocchi 4.7.1 | ratio R/G | aim | met? |", "| --- | ---: | ---: | ---: | --- | --- |"]
    for index, (figure, r, g, ratio, met) in enumerate(rows):
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            figure, fmt(r), fmt(g), "—" if ratio is None else ("%.2f×" % ratio if ratio < 10 else "%.0f×" % ratio),
            aims.get(index, ""), met))
    table = "\n".join(lines)

    # The client is not the limit: wrk's CPU against the server's, per run.
    cpu = ["| wrk run | Rondone: wrk CPU / server CPU | Gnocchi: wrk CPU / server CPU |", "| --- | ---: | ---: |"]
    keys = sorted({k[4:] for (s, k) in values if k.startswith("cpu.")})
    for key in keys:
        cells = []
        for system in ("rondone", "gnocchi"):
            cell = values.get((system, "cpu." + key))
            cells.append("%s %% / %s %%" % (cell[0], cell[1]) if cell else "—")
        cpu.append("| %s | %s | %s |" % (key, cells[0], cells[1]))
    cpu_table = "\n".join(cpu)

    checks = []
    for name in ("metric", "aggregates"):
        paths = [os.path.join(args.out, "%s-answer-%s.json" % (s, name)) for s in ("rondone", "gnocchi")]
        if not all(os.path.exists(p) for p in paths):
            continue
        answers = [json.load(open(p)) for p in paths]
        series = [a["measures"]["aggregated"] if isinstance(a, dict) else a for a in answers]
        if len(series[0]) != len(series[1]):
            checks.append("%s: **%d points against %d**" % (name, len(series[0]), len(series[1])))
            continue
        worst = max((abs(x[2] - y[2]) for x, y in zip(series[0], series[1])), default=0.0)
        same_times = all(x[0][:19] == y[0][:19] for x, y in zip(series[0], series[1]))
        checks.append("%s: %d points, %s time stamps, largest difference of a value %.3g" % (
            name, len(series[0]), "same" if same_times else "**different**", worst))

    errors = sorted("%s %s: %s" % (s, k[7:], v[0]) for (s, k), v in values.items() if k.startswith("errors."))
    load_cells = {s: "%s → %s" % (values.get((s, "load.start"), ["?"])[0], values.get((s, "load.end"), ["?"])[0])
                  for s in ("rondone", "gnocchi")}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = [
        "Run %s: `%s`" % (now, args.command),
        "",
        "* Machine: %s; load average (1/5/15 min) at the start → end of each system's run: Rondone %s, Gnocchi %s."
        % (machine(), load_cells["rondone"], load_cells["gnocchi"]),
        "* Parameters: `%s`." % args.params,
        "* Points stored in the disk phase: %s (Rondone) and %s (Gnocchi). Gnocchi's bytes include its PostgreSQL"
        " database: %s bytes in the disk phase, %s in the sparse phase."
        % (fmt(get("rondone", "disk.full.points")), fmt(get("gnocchi", "disk.full.points")),
           fmt(get("gnocchi", "disk.full.index_bytes")), fmt(get("gnocchi", "disk.sparse.index_bytes"))),
        "* Where the bytes are (du, bytes, largest entries of the data directory): %s."
        % "; ".join("%s %s: %s" % (s, phase, open(os.path.join(args.out, "%s-%s.du" % (s, phase))).read().strip(", \n"))
                    for s in ("rondone", "gnocchi") for phase in ("disk", "sparse")
                    if os.path.exists(os.path.join(args.out, "%s-%s.du" % (s, phase)))),
        "",
        table,
        "",
        "Same answers: " + ("; ".join(checks) if checks else "not compared (one system only)") + ".",
        "",
        "Errors seen by wrk (non-2xx, timeouts, socket errors): " + ("; ".join(errors) if errors else "none") + ".",
        "",
        "CPU of the client against the server's during each wrk run (percent of one core, 2 cores in all):",
        "",
        cpu_table,
    ]
    section = "\n".join(text)
    print(section)
    if args.doc:
        write_between(args.doc, BEGIN, END, section)


if __name__ == "__main__":
    main()
