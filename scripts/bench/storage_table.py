#!/usr/bin/env python3
"""Side-by-side table of `rondone-bench storage` and scripts/bench/gnocchi_storage.py.

Usage: storage_table.py RONDONE_OUTPUT GNOCCHI_OUTPUT

Rondone lines come from the Swift harness (`bench()` in BenchHarness.swift):
    "  <label padded to 52>  <%8.2f> <k|M|G|> <unit>/s"
Gnocchi lines are "gnocchi <name> <value> <unit>". Only rows both sides have are
compared; the ratio is Rondone / Gnocchi (for rates higher is better for Rondone,
for bytes lower is).
"""

import re
import sys

SUFFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}
# number, optional SI suffix, unit, at the end of the line
FIGURE = re.compile(r"\s([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*([kMG]?)\s+(\S+)\s*$")
INGEST = re.compile(r"^(group-commit log|file per batch),\s+(\d+) writers x (\d+) points")


def rondone_rows(path):
    """(label, value, unit) for every figure line of the Rondone output."""
    rows = []
    with open(path) as f:
        for line in f:
            if not line.startswith(" "):
                continue  # section headers and warnings
            m = FIGURE.search(line)
            if not m:
                continue
            label = line[: m.start()].strip()
            rows.append((label, float(m.group(1)) * SUFFIX[m.group(2)], m.group(3)))
    return rows


def gnocchi_figures(path):
    figures = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "gnocchi":
                figures[parts[1]] = (float(parts[2]), parts[3])
    return figures


def human(value):
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return "%.2f %s" % (value / scale, suffix)
    return "%.2f" % value


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rondone = rondone_rows(sys.argv[1])
    gnocchi = gnocchi_figures(sys.argv[2])
    table = []  # (what, rondone label, rondone value, gnocchi name, gnocchi value, unit)
    for label, value, unit in rondone:
        m = INGEST.match(label)
        low = label.lower()
        candidates = []
        if m:
            candidates = ["ingest.w%s.b%s" % (m.group(2), m.group(3))]
        elif "processed" in low:
            candidates = ["process.metrics_per_s" if "metric" in unit
                          else "process.measures_per_s"]
        elif "bytes per stored point" in low:
            candidates = ["disk.aggregate.bytes_per_point.allocated",
                          "disk.aggregate.bytes_per_point.apparent"]
        elif "bytes" in low and "incoming" in low:
            candidates = ["incoming.bytes_per_measure.allocated",
                          "incoming.bytes_per_measure.apparent"]
        for name in candidates:
            if name in gnocchi:
                table.append((label, value, name, gnocchi[name][0], unit))
    if not table:
        sys.exit("no row in common; check both outputs")
    width = max(len(r[0]) for r in table)
    gwidth = max(len(r[2]) for r in table)
    print("%-*s  %12s   %-*s %12s   %9s" % (
        width, "rondone", "rondone", gwidth, "gnocchi 4.7.1", "gnocchi", "R/G"))
    for label, value, name, gvalue, unit in table:
        ratio = value / gvalue if gvalue else float("inf")
        print("%-*s  %12s   %-*s %12s   %8.2fx  %s" % (
            width, label, human(value), gwidth, name, human(gvalue), ratio, unit))


if __name__ == "__main__":
    main()
