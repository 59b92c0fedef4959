"""The markdown table of scripts/bench/promql.sh's results.tsv.

    promql_table.py results.tsv

Lines: key, system, requests/s (or `cold`, or `first` for one call), p50 ms (median for
cold), p99 ms (max for cold), server CPU %, wrk CPU %, load average. One row per key, Prometheus then Rondone,
and the ratio Rondone/Prometheus of the p50 latencies (above 1: Rondone slower).
"""
import sys


def main():
    rows, order = {}, []
    for line in open(sys.argv[1]):
        key, system, rps, p50, p99, server, client, load = line.rstrip("\n").split("\t")
        kind = rps if rps in ("cold", "first") else "wrk"
        if (key, kind) not in rows:
            rows[(key, kind)] = {}
            order.append((key, kind))
        rows[(key, kind)][system] = dict(rps=rps, p50=float(p50), p99=float(p99), server=server, client=client, load=load)
    print("| query | Prometheus req/s | p50 / p99 ms | Rondone req/s | p50 / p99 ms | Rondone/Prometheus (p50) "
          "| server CPU % P / R | wrk CPU % P / R | load P / R |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, kind in order:
        p, r = rows[(key, kind)].get("prometheus"), rows[(key, kind)].get("rondone")
        if not p or not r:
            continue
        ratio = r["p50"] / p["p50"] if p["p50"] else float("inf")
        if kind == "first":
            print("| %s (one call) | | %.1f | | %.1f | %.1f× | | | %s / %s |"
                  % (key, p["p50"], r["p50"], ratio, p["load"], r["load"]))
        elif kind == "cold":
            print("| `%s`, first call after 1.5 s idle (median / max of the calls) | | %.1f / %.1f | | %.1f / %.1f | %.1f× | | | %s / %s |"
                  % (key, p["p50"], p["p99"], r["p50"], r["p99"], ratio, p["load"], r["load"]))
        else:
            print("| `%s` | %s | %.1f / %.1f | %s | %.1f / %.1f | %.1f× | %s / %s | %s / %s | %s / %s |"
                  % (key, p["rps"], p["p50"], p["p99"], r["rps"], r["p50"], r["p99"], ratio,
                     p["server"], r["server"], p["client"], r["client"], p["load"], r["load"]))


if __name__ == "__main__":
    main()
