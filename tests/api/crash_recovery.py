#!/usr/bin/env python3
"""kill -9 recovery: nothing acknowledged is lost, queued scans resume after a restart.

Usage: crash_recovery.py --vigil PATH/TO/vigil --source /path/to/repo

1. Starts `vigil serve` (one scan worker) and pushes agent documents for many instances from a
   thread while the main thread SIGKILLs the server mid-ingest.
2. Restarts it on the same data directory, pushes the documents that were not acknowledged, and
   waits until every instance has been scanned: each acknowledged document must be there.
3. Adds an advisory to the vulnerability database, lets the restarted server start re-matching,
   SIGKILLs it again during the re-scan, restarts, and checks every instance gets the new finding.
4. The store passes SQLite's integrity check.
Exits 0 on success, 1 on failure, 77 when botocore is unavailable (fails instead when
VIGIL_REQUIRE_REFERENCE=1).
"""
import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3") and \
            os.environ.get("VIGIL_CRASH_REEXEC") != "1":
        os.environ["VIGIL_CRASH_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    if os.environ.get("VIGIL_REQUIRE_REFERENCE") == "1":
        print("FAIL: botocore is required (VIGIL_REQUIRE_REFERENCE=1)")
        sys.exit(1)
    print("SKIP: botocore not available")
    sys.exit(77)

ACCOUNT = "444455556666"
INSTANCES = 300
EXTRA_ADVISORY = {
    "schema_version": "1.6.0",
    "id": "GHSA-vigl-cras-h001",
    "modified": "2026-11-01T00:00:00Z",
    "published": "2026-11-01T00:00:00Z",
    "aliases": ["CVE-2099-0001"],
    "summary": "Test advisory added while the service runs (crash-recovery test)",
    "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "99.0.0"}]}]}],
    "database_specific": {"severity": "CRITICAL"},
}


class Server:
    def __init__(self, vigil, data, db, config):
        self.vigil, self.data, self.db, self.config = vigil, data, db, config
        self.process = None
        self.endpoint = None

    def start(self):
        log = open(os.path.join(self.data, "..", "serve.log"), "a")
        self.process = subprocess.Popen(
            [self.vigil, "serve", "--data", self.data, "--db", self.db, "--config", self.config,
             "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.process.stdout.readline()
        if "listening on" not in line:
            raise SystemExit(f"vigil serve did not start: {line!r}")
        self.endpoint = line.strip().rsplit(" ", 1)[-1]

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def request(server, key, method, path, body=b""):
    """A SigV4-signed request (botocore's signer); returns (status, parsed JSON or text)."""
    akid, secret = key
    aws = AWSRequest(method=method, url=server.endpoint + path, data=body,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(akid, secret), "inspector2", "us-east-1").add_auth(aws)
    prepared = urllib.request.Request(aws.url, data=body if body else None, method=method,
                                      headers=dict(aws.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else {}
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def coverage(server, key):
    """{resourceId: reason} of every PACKAGE coverage row."""
    rows, token = {}, None
    while True:
        body = {"maxResults": 200}
        if token:
            body["nextToken"] = token
        status, page = request(server, key, "POST", "/coverage/list", json.dumps(body).encode())
        if status != 200:
            raise RuntimeError(f"ListCoverage: {status} {page}")
        for row in page.get("coveredResources", []):
            if row.get("scanType") == "PACKAGE":
                rows[row["resourceId"]] = row["scanStatus"]["reason"]
        token = page.get("nextToken")
        if not token:
            return rows


def findings_with(server, key, vulnerability_id):
    body = {"maxResults": 100, "filterCriteria": {"vulnerabilityId": [
        {"comparison": "EQUALS", "value": vulnerability_id}]}}
    resources, token = set(), None
    while True:
        if token:
            body["nextToken"] = token
        status, page = request(server, key, "POST", "/findings/list", json.dumps(body).encode())
        if status != 200:
            raise RuntimeError(f"ListFindings: {status} {page}")
        for finding in page.get("findings", []):
            resources.add(finding["resources"][0]["id"])
        token = page.get("nextToken")
        if not token:
            return resources


def wait_for(condition, what, timeout=300, interval=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"FAIL: timed out waiting for {what}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vigil-crash-")
    data, db = os.path.join(work, "data"), os.path.join(work, "db")
    advisories = os.path.join(args.source, "samples", "advisories")
    subprocess.run([args.vigil, "db", "import", "--db", db] +
                   [os.path.join(advisories, f) for f in sorted(os.listdir(advisories))],
                   check=True, stdout=subprocess.DEVNULL)
    config = os.path.join(work, "vigil.toml")
    with open(config, "w") as handle:
        handle.write(f'workers = 1\n[organization]\nid = "o-crashtest01"\n'
                     f'delegated_admin = "{ACCOUNT}"\n[vulndb]\npoll_seconds = 1\n')
    out = subprocess.run([args.vigil, "keys", "create", "--data", data, "--account", ACCOUNT,
                          "--role", "admin", "--json"], check=True, capture_output=True, text=True)
    key_json = json.loads(out.stdout)["AccessKey"]
    key = (key_json["AccessKeyId"], key_json["SecretAccessKey"])

    documents = {}
    template = os.path.join(work, "template.json")
    subprocess.run([args.vigil, "agent", "collect", "--root", os.path.join(args.source, "samples", "rootfs"),
                    "--instance-id", "i-0000000000000000", "--account", ACCOUNT, "--region", "us-east-1",
                    "--out", template], check=True, stdout=subprocess.DEVNULL)
    with open(template) as handle:
        base = json.load(handle)
    for index in range(INSTANCES):
        document = dict(base)
        document["host"] = dict(base["host"], instanceId=f"i-{index:017x}", hostname=f"host-{index}")
        document.pop("contentHash", None)
        documents[f"i-{index:017x}"] = json.dumps(document).encode()

    server = Server(args.vigil, data, db, config)
    server.start()
    acknowledged = set()

    def push_all(ids):
        for instance in ids:
            try:
                status, _ = request(server, key, "POST", "/vigil/v1/agent/inventory", documents[instance])
            except (OSError, urllib.error.URLError):
                return  # the server died under us
            if status == 200:
                acknowledged.add(instance)

    # Phase 1: SIGKILL mid-ingest.
    pusher = threading.Thread(target=push_all, args=(sorted(documents),))
    pusher.start()
    wait_for(lambda: len(acknowledged) >= INSTANCES // 10, "a tenth of the pushes", interval=0.002)
    server.kill9()
    pusher.join()
    killed_after = len(acknowledged)
    if killed_after >= INSTANCES:
        raise SystemExit("FAIL: the kill came too late to interrupt ingest")

    # Phase 2: restart; every acknowledged document survived; queued scans resume.
    server.start()
    before = coverage(server, key)
    lost = sorted(acknowledged - set(before))
    if lost:
        raise SystemExit(f"FAIL: acknowledged documents lost after kill -9: {lost[:5]}")
    push_all(sorted(set(documents) - acknowledged))
    if len(acknowledged) != INSTANCES:
        raise SystemExit(f"FAIL: only {len(acknowledged)} of {INSTANCES} pushes acknowledged")
    wait_for(lambda: all(reason == "SUCCESSFUL" for reason in coverage(server, key).values())
             and len(coverage(server, key)) == INSTANCES, "every instance scanned")

    # Phase 3: a database update while running; SIGKILL during the re-scan; restart.
    feed = os.path.join(work, "feed")
    os.makedirs(feed)
    with open(os.path.join(feed, "extra.json"), "w") as handle:
        json.dump(EXTRA_ADVISORY, handle)
    subprocess.run([args.vigil, "db", "import", "--db", db, feed], check=True, stdout=subprocess.DEVNULL)
    wait_for(lambda: len(findings_with(server, key, "CVE-2099-0001")) > 0, "the re-scan to start")
    partial = len(findings_with(server, key, "CVE-2099-0001"))
    server.kill9()
    server.start()
    wait_for(lambda: len(findings_with(server, key, "CVE-2099-0001")) == INSTANCES,
             "the new finding on every instance after the restart")
    if server.stop() != 0:
        raise SystemExit("FAIL: vigil serve did not stop cleanly")

    check = sqlite3.connect(os.path.join(data, "store.db")).execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        raise SystemExit(f"FAIL: store integrity check: {check}")
    print(f"ok: killed after {killed_after}/{INSTANCES} acknowledged pushes, none lost; "
          f"re-scan killed with {partial}/{INSTANCES} instances done, completed after restart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
