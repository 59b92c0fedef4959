#!/usr/bin/env python3
"""The tables of scripts/bench/scaleout.sh: reads its results file (lines `RUN key value…`,
RUN being CONFIG.rN), prints the median of each figure per configuration — ingest and
processing with their ratios to the embedded default, CPU microseconds per measure of
each process with PostgreSQL's and moto's shares, CPU seconds over the run — and every
run with its load average, as Markdown; with --doc replaces the text between the
scale-out markers of docs/BENCHMARKS.md."""

import argparse
import datetime
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_table import fmt, machine, write_between  # noqa: E402

BEGIN = "<!-- scaleout.sh results: begin (generated, do not edit by hand) -->"
END = "<!-- scaleout.sh results: end -->"
SERVERS = ("serve", "api")


def load(path):
    runs = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3:
            runs.setdefault(parts[0], {})[parts[1]] = parts[2:]
    return runs


def configurations(runs):
    """config → [run values], in the order the configurations first ran."""
    grouped = {}
    for run, values in runs.items():
        grouped.setdefault(run.rsplit(".r", 1)[0], []).append(values)
    return grouped


def label(config):
    if config == "embedded":
        return "embedded (`rondone serve`)"
    count = int(config[len("metricd"):])
    return "deployment: 1 api + %d metricd" % count


def metricd_names(values):
    return sorted((k[len("cpu_s."):] for k in values if k.startswith("cpu_s.metricd")),
                  key=lambda n: int(n[len("metricd"):]))


def median(items):
    items = [x for x in items if x is not None]
    return statistics.median(items) if items else None


def num(values, key):
    return float(values[key][0]) if key in values else None


def cpu_total(values):
    return sum(float(v[0]) for k, v in values.items() if k.startswith("cpu_s."))


def per_measure(values, process):
    cpu, acked = num(values, "cpu_s." + process), num(values, "acked")
    return cpu / acked * 1e6 if cpu is not None and acked else None


def share(values, process):
    cpu = num(values, "cpu_s." + process)
    return cpu / cpu_total(values) * 100 if cpu is not None else None


def s3_requests(values):
    """Median S3 requests per 1 000 measures acknowledged, in all and by method."""
    methods = sorted({k[len("s3."):] for v in values for k in v if k.startswith("s3.")})
    if not methods:
        return "—"

    def per_thousand(v, keys):
        return sum(num(v, k) or 0 for k in keys) / num(v, "acked") * 1000

    total = median(per_thousand(v, ["s3." + m for m in methods]) for v in values)
    each = ", ".join("%s %.2f" % (m, median(per_thousand(v, ["s3." + m]) for v in values)) for m in methods)
    return "%.2f (%s)" % (total, each)


def us(value):
    return "—" if value is None else "%.1f" % value


def pct(value):
    return "—" if value is None else "%.0f %%" % value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--command", default="scripts/bench/scaleout.sh")
    parser.add_argument("--params", default="")
    parser.add_argument("--commit", default="")
    parser.add_argument("--doc")
    args = parser.parse_args()
    runs = load(args.results)
    grouped = configurations(runs)
    base = grouped.get("embedded", [])
    base_ingest = median(num(v, "ingest.batch") for v in base)
    base_processing = median(num(v, "processing.batch") for v in base)

    def ratio(value, reference):
        return "%.2f×" % (value / reference) if value is not None and reference else "—"

    rates = ["| configuration | ingest, measures/s | × embedded | processing, measures/s | × embedded "
             "| S3 requests per 1 000 measures (by method) | runs |",
             "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    cpu = ["| configuration | serve / api | metricd (each) | PostgreSQL | moto | wrk | total | PostgreSQL's share | moto's share |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    seconds = ["| configuration | run (ingest start → backlog 0), s | serve / api | metricd (each) | PostgreSQL | moto | wrk "
               "| total | the 2 cores busy | moto, % of one core |",
               "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for config, values in grouped.items():
        ingest = median(num(v, "ingest.batch") for v in values)
        processing = median(num(v, "processing.batch") for v in values)
        partial = any("partial.processing.batch" in v for v in values)
        rates.append("| %s | %s | %s | %s%s | %s | %s | %d |" % (
            label(config), fmt(ingest), ratio(ingest, base_ingest), fmt(processing),
            " (partial)" if partial else "", ratio(processing, base_processing), s3_requests(values),
            len(values)))
        names = metricd_names(values[0])
        server = next((s for s in SERVERS if "cpu_s." + s in values[0]), None)

        def each(fn):
            return " / ".join(us(median(fn(v, n) for v in values)) for n in names) or "—"

        cpu.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label(config), us(median(per_measure(v, server) for v in values)),
            each(per_measure),
            us(median(per_measure(v, "postgresql") for v in values)),
            us(median(per_measure(v, "moto") for v in values)),
            us(median(per_measure(v, "wrk") for v in values)),
            us(median(cpu_total(v) / num(v, "acked") * 1e6 for v in values)),
            pct(median(share(v, "postgresql") for v in values)),
            pct(median(share(v, "moto") for v in values))))

        def secs(process):
            value = median(num(v, "cpu_s." + process) for v in values)
            return "—" if value is None else "%.1f" % value

        seconds.append("| %s | %.1f | %s | %s | %s | %s | %s | %.1f | %s | %s |" % (
            label(config), median(num(v, "window") for v in values), secs(server),
            " / ".join(secs(n) for n in names) or "—", secs("postgresql"), secs("moto"), secs("wrk"),
            median(cpu_total(v) for v in values),
            pct(median(cpu_total(v) / num(v, "window") / (os.cpu_count() or 1) * 100 for v in values)),
            pct(median(num(v, "cpu_s.moto") / num(v, "window") * 100 if "cpu_s.moto" in v else None
                       for v in values))))

    every = ["| run | ingest, measures/s | processing, measures/s | acknowledged | load average at the start → end |",
             "| --- | ---: | ---: | ---: | --- |"]
    errors = []
    for run, values in runs.items():
        every.append("| %s | %s | %s%s | %s | %s → %s |" % (
            run, fmt(num(values, "ingest.batch")), fmt(num(values, "processing.batch")),
            " (partial: %s left)" % values["partial.processing.batch"][0]
            if "partial.processing.batch" in values else "",
            fmt(num(values, "acked")), values.get("load.start", ["?"])[0], values.get("load.end", ["?"])[0]))
        if "errors.batch" in values:
            errors.append("%s: %s" % (run, values["errors.batch"][0]))

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = [
        "Run %s%s: `%s`" % (now, ", commit `%s`" % args.commit if args.commit else "", args.command),
        "",
        "* Machine: %s." % machine(),
        "* Parameters: `%s`." % args.params,
        "* Each figure is the median over the runs of its configuration (figures taken one by one:"
        " a row need not be one run).",
        "",
        "Rates (ratios to the embedded default's median):",
        "",
        "\n".join(rates),
        "",
        "CPU microseconds per measure acknowledged, from just before the ingest to the empty backlog"
        " (shares: of the total, wrk included):",
        "",
        "\n".join(cpu),
        "",
        "CPU seconds over the same run, and how busy the machine was:",
        "",
        "\n".join(seconds),
        "",
        "Every run, in the order they ran:",
        "",
        "\n".join(every),
        "",
        "Errors seen by wrk (non-2xx, timeouts, socket errors): " + ("; ".join(errors) if errors else "none") + ".",
    ]
    section = "\n".join(text)
    print(section)
    if args.doc:
        write_between(args.doc, BEGIN, END, section)


if __name__ == "__main__":
    main()
