"""`?dry_run=true` of the destructive calls against any server (docs/OPERATIONS.md, "Dry
runs in the API"): the answer counts what the real call then deletes, and nothing changes
in between. Prints one line per check; exits 1 if any failed.

    dry_run.py URL
"""
import base64
import json
import sys
import urllib.error
import urllib.request
import uuid

BASE = sys.argv[1]
AUTH = "Basic " + base64.b64encode(b"admin:").decode()
failures = 0


def request(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method, headers={
        "Authorization": AUTH, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def check(name, condition, detail=""):
    global failures
    print(("ok   " if condition else "FAIL ") + name)
    if not condition:
        failures += 1
        print("     " + str(detail)[:500])


def state():
    _, resources = request("GET", "/v1/resource/dryrun?limit=1000")
    _, metrics = request("GET", "/v1/metric?limit=1000")
    return sorted(r["id"] for r in resources), sorted(m["id"] for m in metrics)


request("POST", "/v1/archive_policy", {"name": "dryrun", "definition": [{"granularity": "1m", "points": 10}]})
request("POST", "/v1/resource_type", {"name": "dryrun", "attributes": {"team": {"type": "string", "required": False}}})
ids = []
for index in range(12):
    body = {"id": str(uuid.uuid4()), "user_id": "u0" if index < 9 else "u1", "team": "t"}
    if index < 3:
        body["metrics"] = {"a": {"archive_policy_name": "dryrun"}, "b": {"archive_policy_name": "dryrun"}}
    status, _ = request("POST", "/v1/resource/dryrun", body)
    ids.append(body["id"])
check("12 resources of a custom type created", status == 201, status)

before = state()
status, answer = request("DELETE", "/v1/resource/dryrun?dry_run=true", {"=": {"user_id": "u0"}})
check("batch delete dry run: 200, 9 resources and their 6 metrics",
      status == 200 and answer.get("dry_run") is True and answer.get("deleted") == 9 and answer.get("metrics") == 6
      and sorted(answer.get("resources", [])) == sorted(ids[:9]), (status, answer))
check("the batch delete dry run changed nothing", state() == before)
status, answer = request("DELETE", "/v1/archive_policy/dryrun?dry_run=true")
check("archive policy in use: the dry run gives the real call's 400", status == 400, (status, answer))
status, answer = request("DELETE", "/v1/resource_type/dryrun?dry_run=true")
check("resource type in use: the dry run gives the real call's 400", status == 400, (status, answer))
status, answer = request("DELETE", "/v1/resource/dryrun", {"=": {"user_id": "u0"}})
check("the real batch delete deletes what the dry run counted", status == 200 and answer.get("deleted") == 9,
      (status, answer))
status, answer = request("DELETE", "/v1/resource/dryrun?dry_run=true", {"=": {"user_id": "u1"}})
check("a second dry run counts the 3 left", status == 200 and answer.get("deleted") == 3, (status, answer))
request("DELETE", "/v1/resource/dryrun", {"=": {"user_id": "u1"}})
status, answer = request("DELETE", "/v1/resource_type/dryrun?dry_run=true")
check("an unused resource type: the dry run answers 1, and it still exists",
      status == 200 and answer == {"dry_run": True, "deleted": 1, "resource_type": "dryrun"}
      and request("GET", "/v1/resource_type/dryrun")[0] == 200, (status, answer))
status, answer = request("DELETE", "/v1/archive_policy/unknown-policy?dry_run=true")
check("an unknown archive policy: the dry run gives the real call's 404", status == 404, (status, answer))
status, answer = request("DELETE", "/v1/resource/dryrun?dry_run=maybe", {"=": {"user_id": "u1"}})
check("a bad dry_run value is a 400", status == 400, (status, answer))
sys.exit(1 if failures else 0)
