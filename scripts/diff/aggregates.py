#!/usr/bin/env python3
"""Differential check of the cross-metric endpoints: the same metrics, measures and
requests against the reference Gnocchi and a Rondone, responses compared (metric ids
replaced by <A>/<B>; where Gnocchi answers 5xx only that is noted).

    scripts/diff/aggregates.py [GNOCCHI_URL] [RONDONE_URL]

Both servers must be fresh (no archive policy named `p`). Prints each difference and
a last line `N/M differ`.
"""
import json, sys, urllib.error, urllib.request
H = {"Authorization": "basic YWRtaW46", "Content-Type": "application/json", "Accept": "application/json"}
def req(base, method, path, body=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    r = urllib.request.Request(base + path, data=data, method=method, headers=H)
    try:
        with urllib.request.urlopen(r) as resp: return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()
    except Exception as e: return 599, "EXC %s" % type(e).__name__
def setup(base):
    req(base, "POST", "/v1/archive_policy", {"name": "p", "definition": [{"granularity": "1 second"}, {"granularity": "60 second"}], "aggregation_methods": ["mean", "max", "min", "sum", "std", "count", "last"]})
    ids = []
    for _ in range(2):
        s, t = req(base, "POST", "/v1/metric", {"archive_policy_name": "p"})
        ids.append(json.loads(t)["id"])
    t0 = 1425652380
    A = [(0, 4.5), (3, -2.0), (5, 7.25), (7, 1.0), (10, 3.3), (62, 8.0), (70, -1.5)]
    B = [(3, 1.5), (5, 2.0), (8, -4.0), (10, 6.6), (61, 0.5), (70, 9.0), (130, 2.25)]
    for mid, pts in zip(ids, [A, B]):
        req(base, "POST", "/v1/metric/%s/measures" % mid, [{"timestamp": t0 + t, "value": v} for t, v in pts])
        req(base, "GET", "/v1/metric/%s/measures?refresh=true" % mid)
    return ids
peer = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8041"
rd = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8051"
ip, ir = setup(peer), setup(rd)
def sub(x, ids):
    return x.replace("A", ids[0]).replace("B", ids[1]) if isinstance(x, str) else json.loads(sub(json.dumps(x), ids))
def norm(text, ids):
    text = text.replace(ids[0], "<A>").replace(ids[1], "<B>")
    try: return json.loads(text)
    except Exception: return text
ops = ["(aggregate mean (metric (A mean) (B mean)))", "(metric (A mean) (B mean))", "(> (metric A mean) 3)",
 "(== (metric A mean) 1)", "(rateofchangesec (metric A mean))", "(clip (metric A mean) 0 5)", "(clip_min (metric A mean) 2)",
 "(clip_max (metric A mean) 2)", "(max (metric A mean) (metric B mean))", "(- (metric A mean) (rateofchange (metric B mean)))",
 "(rolling mean 100 (metric A mean))", "(resample max 120 (metric A mean))", "(resample var 60 (metric A mean))",
 "(% (metric A mean) 0)", "(/ (metric A mean) 0)", "(aggregate rate:sum (metric (A mean) (B mean)))", "(aggregate count (metric (A mean) (B max)))",
 "(rolling std 3 (metric (A mean) (B mean)))", "(aggregate mean)", "(metric A what)", "(floor (* (metric A mean) 1.5))",
 "(aggregate median (resample mean 60 (metric (A mean) (B mean))))", "(+ 1 2)", "(clip (metric A mean) (metric B mean) 3)"]
queries = ["", "?granularity=1", "?fill=null", "?fill=0", "?fill=ffill&granularity=1", "?fill=bfill&granularity=1", "?fill=full_ffill",
 "?fill=full_bfill", "?needed_overlap=50", "?needed_overlap=0", "?needed_overlap=50&start=2015-03-06T14:33:00", "?stop=2015-03-06T14:33:08&granularity=1",
 "?fill=nan", "?details=maybe", "?granularity=60&fill=dropna&start=2015-03-06T14:34:00"]
bad = 0; total = 0; peer_failures = 0
def compare(label, a, b):
    global bad, total, peer_failures
    total += 1
    if a != b:
        bad += 1
        if a[0] >= 500:
            peer_failures += 1
        print("DIFF", label, "\n  peer:", str(a)[:600], "\n  rond:", str(b)[:600])
for op in ops:
    for q in queries:
        sp, tp = req(peer, "POST", "/v1/aggregates" + q, {"operations": sub(op, ip)})
        sr, tr = req(rd, "POST", "/v1/aggregates" + q, {"operations": sub(op, ir)})
        np_, nr = norm(tp, ip), norm(tr, ir)
        if sp >= 500: np_ = "5xx"
        compare("%s %s" % (op, q), (sp, np_), (sr, nr if sp < 500 else "5xx"))
agg = ["?metric=A&metric=B", "?metric=A&metric=B&granularity=1", "?metric=A&metric=B&reaggregation=max", "?metric=A&metric=B&aggregation=max&granularity=60",
 "?metric=A&metric=B&granularity=1&resample=60", "?metric=A&metric=B&fill=0", "?metric=A&metric=B&fill=null&granularity=1", "?metric=A&metric=B&needed_overlap=50&start=2015-03-06T14:33:00",
 "?metric=A&metric=B&aggregation=last", "?metric=A&aggregation=last", "?metric=A&granularity=60&resample=120", "?metric=A&metric=B&reaggregation=count&fill=ffill",
 "?metric=A&metric=B&start=2015-03-06T14:33:05&stop=2015-03-06T14:34:02", "?metric=A&metric=B&aggregation=std", "?metric=A&metric=B&fill=full_bfill&granularity=1"]
for q in agg:
    sp, tp = req(peer, "GET", "/v1/aggregation/metric" + sub(q, ip))
    sr, tr = req(rd, "GET", "/v1/aggregation/metric" + sub(q, ir))
    compare("aggregation " + q, (sp, norm(tp, ip) if sp < 500 else "5xx"), (sr, norm(tr, ir) if sp < 500 else "5xx"))
print("%d/%d differ (%d where Gnocchi fails with a 5xx)" % (bad, total, peer_failures))
