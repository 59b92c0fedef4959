#!/usr/bin/env python3
"""Who sees what: every user against every operation, on one running server.

    matrix.py run --url URL --mode MODE     prints one line per cell: MODE OPERATION USER ANSWER
    matrix.py table FILE                    a markdown table of a results file, one per mode

MODE names how the server runs (scripts/isolation-test.sh starts each): basic, basic-strict,
keystone, keystone-strict, web-config, web-config-strict. The owner creates, at set-up
(as the admin where the API needs one): a resource R1 with a metric `cpu` (M), a
standalone metric S, and R2, created by the admin but owned by the owner (its user_id,
and its project_id in keystone modes). The users:

    admin   the administrator (basic: `admin`; keystone: role admin; web-config: in admins)
    owner   who created R1, M, S and owns R2 (keystone: user u-owner, project p1)
    peer    another user of the owner's project (keystone: u-peer, p1; elsewhere no project)
    other   another user of another project (keystone: u-other, p2)
    anon    no credentials
    badpw   the owner's name with a wrong password (only web-config checks it)

An answer is the status, and for lists and searches which of the owner's objects are in
it (`200 R1 R2`, `200 -`). Standard library only.
"""

import argparse
import base64
import http.client
import json
import sys
import urllib.parse

USERS = ["admin", "owner", "peer", "other", "anon", "badpw"]
PASSWORDS = {"admin": "admin-pw", "owner": "owner-pw", "peer": "peer-pw", "other": "other-pw"}
KEYSTONE = {"admin": ("u-admin", "p0", "admin"), "owner": ("u-owner", "p1", "member"),
            "peer": ("u-peer", "p1", "member"), "other": ("u-other", "p2", "member")}
R1 = "6e1c7e8e-0b0f-4e6a-9d51-0000000000r1".replace("r1", "01")
R2 = "6e1c7e8e-0b0f-4e6a-9d51-000000000002"


def headers(mode, user):
    if user == "anon":
        return {}
    if mode.startswith("keystone"):
        name = "owner" if user == "badpw" else user
        uid, project, role = KEYSTONE[name]
        return {"X-User-Id": uid, "X-Project-Id": project, "X-Roles": role}
    if mode.startswith("web-config"):
        name, password = ("owner", "wrong") if user == "badpw" else (user, PASSWORDS[user])
    else:  # basic: the password is ignored, as in Gnocchi
        name, password = ("owner", "wrong") if user == "badpw" else (user, "")
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


class Server:
    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def call(self, method, path, body=None, hdrs=None):
        h = dict(hdrs or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=h)
        response = self.connection.getresponse()
        text = response.read()
        try:
            return response.status, json.loads(text) if text else None
        except ValueError:
            return response.status, None


def setup(server, mode):
    owner, admin = headers(mode, "owner"), headers(mode, "admin")
    project = {"project_id": KEYSTONE["owner"][1]} if mode.startswith("keystone") else {}
    owner_user = KEYSTONE["owner"][0] if mode.startswith("keystone") else "owner"
    status, r1 = server.call("POST", "/v1/resource/generic",
                             dict(id=R1, metrics={"cpu": {"archive_policy_name": "low"}}, **project), owner)
    assert status == 201, (status, r1)
    status, s = server.call("POST", "/v1/metric", {"archive_policy_name": "low", "name": "standalone"}, owner)
    assert status == 201, (status, s)
    status, r2 = server.call("POST", "/v1/resource/generic",
                             dict(id=R2, user_id=owner_user, metrics={"cpu": {"archive_policy_name": "low"}},
                                  **project), admin)
    assert status == 201, (status, r2)
    for metric, who in ((r1["metrics"]["cpu"], owner), (s["id"], owner), (r2["metrics"]["cpu"], admin)):
        status, _ = server.call("POST", f"/v1/metric/{metric}/measures",
                                [{"timestamp": "2026-01-01T00:00:00", "value": 1.0}], who)
        assert status == 202, status
    return {"M": r1["metrics"]["cpu"], "S": s["id"], "M2": r2["metrics"]["cpu"]}


def seen(body, names):
    """Which of the owner's objects a list holds: `R1 R2`, `S M`, or `-`."""
    ids = set()
    if isinstance(body, dict) and isinstance(body.get("data"), list):  # Prometheus's series
        ids = {item.get("metric_id") for item in body["data"] if isinstance(item, dict)}
    if isinstance(body, list):
        for item in body:
            if isinstance(item, dict):
                ids.add(item.get("id"))
                group = item.get("group")
                if isinstance(group, dict):
                    ids.add(group.get("id"))
    found = [name for name, value in names if value in ids]
    return " ".join(found) or "-"


def operations(ids):
    S, M = ids["S"], ids["M"]
    resources = [("R1", R1), ("R2", R2)]
    metrics = [("S", S), ("M", M)]
    point = [{"timestamp": "2026-01-02T00:00:00", "value": 2.0}]
    everything = {"!=": {"id": "00000000-0000-0000-0000-000000000000"}}
    return [
        ("list metrics", "GET", "/v1/metric", None, metrics),
        ("get metric S", "GET", f"/v1/metric/{S}", None, None),
        ("get measures of M", "GET", f"/v1/metric/{M}/measures?refresh=true", None, None),
        ("post measures to S", "POST", f"/v1/metric/{S}/measures", point, None),
        ("batch measures to S", "POST", "/v1/batch/metrics/measures", {S: point}, None),
        ("search metric S", "POST", f"/v1/search/metric?metric_id={S}", {"=": 1}, None),
        ("list resources", "GET", "/v1/resource/generic", None, resources),
        ("list resource history", "GET", "/v1/resource/generic?history=true", None, resources),
        ("get resource R1", "GET", f"/v1/resource/generic/{R1}", None, None),
        ("get resource R2", "GET", f"/v1/resource/generic/{R2}", None, None),
        ("search resources", "POST", "/v1/search/resource/generic", everything, resources),
        ("aggregates of S", "POST", "/v1/aggregates", {"operations": ["metric", S, "mean"]}, None),
        ("aggregates by resource", "POST", "/v1/aggregates?groupby=id",
         {"resource_type": "generic", "search": everything, "operations": "(metric cpu mean)"}, resources),
        ("aggregation by resource (deprecated)", "POST", "/v1/aggregation/resource/generic/metric/cpu",
         everything, None),
        ("prometheus series", "GET", "/api/v1/series?match%5B%5D=%7B__name__%3D~%22.%2B%22%7D", None,
         metrics + [("M2", ids["M2"])]),
        ("status", "GET", "/v1/status", None, None),
        ("create archive policy", "POST", "/v1/archive_policy",
         {"name": "p-{user}", "definition": [{"granularity": "1s", "points": 10}]}, None),
    ]


def run(url, mode):
    server = Server(url)
    ids = setup(server, mode)
    for name, method, path, body, listed in operations(ids):
        for user in USERS:
            if isinstance(body, dict) and "name" in body and "{user}" in str(body["name"]):
                body = dict(body, name=f"p-{user}-{mode}")
            status, answer = server.call(method, path, body, headers(mode, user))
            cell = str(status)
            if listed is not None and status == 200:
                cell += " " + seen(answer, listed)
            print(f"{mode}\t{name}\t{user}\t{cell}")


def table(path):
    cells = {}
    modes, names = [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            mode, name, user, cell = line.split("\t")
            cells[(mode, name, user)] = cell
            if mode not in modes:
                modes.append(mode)
            if name not in names:
                names.append(name)
    for mode in modes:
        print(f"\n**{mode}**\n")
        print("| operation | " + " | ".join(USERS) + " |")
        print("| --- |" + " --- |" * len(USERS))
        for name in names:
            print(f"| {name} | " + " | ".join(cells.get((mode, name, u), "") for u in USERS) + " |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run", "table"])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--url")
    parser.add_argument("--mode")
    args = parser.parse_args()
    if args.command == "run":
        run(args.url, args.mode)
    else:
        table(args.file)


if __name__ == "__main__":
    sys.exit(main())
