#!/usr/bin/env python3
"""Read everything a Rondone data directory stores (docs/STORAGE.md), without Rondone.

Usage:
    read_data_directory.py DIR               # a summary: per metric, what is stored
    read_data_directory.py DIR --json        # the whole content, one JSON line per metric
    read_data_directory.py DIR --compare F   # the content against F (`rondone dump` output)

DIR is the data directory of `rondone serve` (holding incoming/ and aggregates/). With
--json, each line is one metric (sorted by UUID), keys sorted, no spaces:

    {"buffer": POINTS|null, "incoming": {"batches": N, "timestamps": [...], "values": [...]}|null,
     "metric": UUID, "splits": [{"granularity": NS, "key": NS, "method": NAME, "timestamps": [...],
     "values": [...]}...]}

POINTS is {"timestamps": [ns...], "values": ["0x<16 hex digits>"...]} (IEEE 754 bit
patterns, so the comparison is exact) or {"damaged": true}; splits are sorted by
granularity, key and method; a pack whose header is damaged is one entry
{"damaged": true, "granularity", "key"}. `rondone dump` prints the same lines from the
real stores, so the two readers can be compared byte for byte (--compare, or diff).
The index (index.sqlite) is not read: metrics are those with stored measures or aggregates.

Python 3 standard library only: read_incoming.py, read_aggregate_log.py and
read_series.py are the independent second readers of each layout.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_aggregate_log  # noqa: E402
import read_incoming  # noqa: E402


def canonical(value):
    """The one JSON spelling both readers print: keys sorted, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content(directory, stats=None):
    """Every metric's line (a dict), sorted by metric UUID; stats (a dict) gets the
    aggregate log's record counts (read_aggregate_log.load)."""
    incoming_directory = os.path.join(directory, "incoming")
    aggregates_directory = os.path.join(directory, "aggregates")
    incoming = read_incoming.waiting_measures(incoming_directory) if os.path.isdir(incoming_directory) else {}
    aggregates = {}
    if os.path.isdir(os.path.join(aggregates_directory, "log")):
        aggregates = read_aggregate_log.contents(aggregates_directory, stats)
    lines = []
    for metric in sorted(set(incoming) | set(aggregates)):
        stored = aggregates.get(metric, {"buffer": None, "splits": []})
        lines.append({"metric": metric, "incoming": incoming.get(metric), "buffer": stored["buffer"],
                      "splits": stored["splits"]})
    return lines


def counts(lines):
    """What the lines hold, counted: metrics, waiting batches and measures, buffer
    points, splits, split points, damaged blobs."""
    total = {"metrics": len(lines), "incoming batches": 0, "incoming measures": 0, "buffers": 0,
             "buffer points": 0, "splits": 0, "split points": 0, "damaged": 0}
    for line in lines:
        if line["incoming"]:
            total["incoming batches"] += line["incoming"]["batches"]
            total["incoming measures"] += len(line["incoming"]["timestamps"])
        if line["buffer"] is not None:
            total["buffers"] += 1
            total["buffer points"] += len(line["buffer"].get("timestamps", []))
            total["damaged"] += 1 if line["buffer"].get("damaged") else 0
        for split in line["splits"]:
            total["splits"] += 1
            total["split points"] += len(split.get("timestamps", []))
            total["damaged"] += 1 if split.get("damaged") else 0
    return total


def describe(counted):
    return ", ".join("%d %s" % (n, name) for name, n in counted.items())


def compare(mine, path):
    """Differences between these lines and the JSON lines in path (at most 10 shown)."""
    with open(path, encoding="utf-8") as handle:
        theirs = [json.loads(text) for text in handle if text.strip()]
    problems = []
    by_metric = {line["metric"]: line for line in theirs}
    if len(by_metric) != len(theirs):
        problems.append("%s repeats a metric" % path)
    for line in mine:
        other = by_metric.pop(line["metric"], None)
        if other is None:
            problems.append("%s: only in the directory" % line["metric"])
            continue
        for part in ("incoming", "buffer", "splits"):
            if line[part] != other.get(part):
                problems.append("%s: %s differs" % (line["metric"], part))
        if set(other) != {"metric", "incoming", "buffer", "splits"}:
            problems.append("%s: unexpected keys %s" % (line["metric"], sorted(other)))
    for metric in sorted(by_metric):
        problems.append("%s: only in %s" % (metric, path))
    return theirs, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the whole content as JSON lines")
    mode.add_argument("--compare", metavar="FILE", help="compare with FILE's JSON lines (rondone dump)")
    args = parser.parse_args()
    stats = {}
    lines = content(args.directory, stats)
    if args.json:
        for line in lines:
            print(canonical(line))
        return 0
    if args.compare:
        theirs, problems = compare(lines, args.compare)
        print("directory: %s" % describe(counts(lines)))
        print("%s: %s" % (args.compare, describe(counts(theirs))))
        if stats:
            print("aggregate log: %d intact records (%s), %d commits applied, %d live records, %d damaged stretches"
                  % (stats["records"], ", ".join("%d %s" % (n, k) for k, n in sorted(stats["kinds"].items())),
                     stats["commits"], stats["live"], stats["damaged"]))
        for problem in problems[:10]:
            print("differs: %s" % problem)
        if len(problems) > 10:
            print("… and %d more differences" % (len(problems) - 10))
        print("equal" if not problems else "%d differences" % len(problems))
        return 1 if problems else 0
    for line in lines:
        incoming = line["incoming"]
        print("%s  waiting %s  buffer %s  splits %d" % (
            line["metric"],
            "%d measures in %d batches" % (len(incoming["timestamps"]), incoming["batches"]) if incoming else "-",
            "-" if line["buffer"] is None else
            ("damaged" if line["buffer"].get("damaged") else "%d points" % len(line["buffer"]["timestamps"])),
            len(line["splits"])))
    print(describe(counts(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
