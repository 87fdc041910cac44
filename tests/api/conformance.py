#!/usr/bin/env python3
"""Inspector2 conformance: drives the real AWS CLI (/usr/bin/aws) and boto3 against `vigil serve`.

Usage: conformance.py --vigil PATH/TO/vigil --source /path/to/repo

Starts `vigil serve` on 127.0.0.1 (free port) with a temp data dir and the sample advisories,
creates keys for a delegated administrator, two member accounts and read-only keys, pushes agent
inventories collected from samples/rootfs, then checks every implemented operation: happy path,
pagination across pages, each error class, tenant isolation and bad signatures. Exits non-zero on
any failure. When /usr/bin/aws or boto3 is missing the run fails if VIGIL_REQUIRE_REFERENCE=1
and is skipped (exit 77) otherwise.
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

AWS = "/usr/bin/aws"
ADMIN, MEMBER_A, MEMBER_B = "111111111111", "222222222222", "333333333333"
SKIP = 77


def require_reference(what):
    if os.environ.get("VIGIL_REQUIRE_REFERENCE") == "1":
        print(f"FAIL: {what} is required (VIGIL_REQUIRE_REFERENCE=1); install awscli and python3-boto3")
        sys.exit(1)
    print(f"SKIP: {what} not available")
    sys.exit(SKIP)


try:
    import boto3
    import botocore.exceptions
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.config import Config
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3") and \
            os.environ.get("VIGIL_CONFORMANCE_REEXEC") != "1":
        os.environ["VIGIL_CONFORMANCE_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    require_reference("boto3")


class Checker:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def check(self, condition, name, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failures.append(f"{name}: {detail}")
            print(f"FAIL {name}: {detail}", flush=True)


class Server:
    def __init__(self, vigil, source, work):
        self.vigil, self.source, self.work = vigil, source, work
        self.data = os.path.join(work, "data")
        self.db = os.path.join(work, "db")
        advisories = os.path.join(source, "samples", "advisories")
        files = [os.path.join(advisories, f) for f in sorted(os.listdir(advisories))]
        subprocess.run([vigil, "db", "import", "--db", self.db] + files, check=True,
                       stdout=subprocess.DEVNULL)
        self.config = os.path.join(work, "vigil.toml")
        with open(self.config, "w") as handle:
            handle.write('workers = 1\n[organization]\nid = "o-vigiltest01"\n'
                         f'delegated_admin = "{ADMIN}"\n')
        self.keys = {}
        for name, account, role in [("admin", ADMIN, "admin"), ("a", MEMBER_A, "member"),
                                    ("b", MEMBER_B, "member"), ("ro_a", MEMBER_A, "readonly"),
                                    ("ro_admin", ADMIN, "readonly")]:
            out = subprocess.run([vigil, "keys", "create", "--data", self.data, "--account", account,
                                  "--role", role, "--json"], check=True, capture_output=True, text=True)
            key = json.loads(out.stdout)["AccessKey"]
            self.keys[name] = (key["AccessKeyId"], key["SecretAccessKey"])
        self.log = open(os.path.join(work, "serve.log"), "w")
        self.process = subprocess.Popen(
            [vigil, "serve", "--data", self.data, "--db", self.db, "--config", self.config,
             "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        if "listening on" not in line:
            raise SystemExit(f"vigil serve did not start: {line!r}")
        self.endpoint = line.strip().rsplit(" ", 1)[-1]
        self.port = int(self.endpoint.rsplit(":", 1)[-1])

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.log.close()


def client(server, key):
    akid, secret = server.keys[key]
    return boto3.client("inspector2", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=akid, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


def signed(server, key, method, path, body=b"", headers=None, secret=None, sign=True):
    """Sends a raw request signed by botocore's SigV4Auth; returns (status, headers, body)."""
    akid, real_secret = server.keys[key] if key else ("AKIAUNKNOWN000000000", "x")
    request = AWSRequest(method=method, url=server.endpoint + path, data=body,
                         headers=dict(headers or {"Content-Type": "application/json"}))
    if sign:
        SigV4Auth(Credentials(akid, secret or real_secret), "inspector2", "us-east-1").add_auth(request)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(method, path, body=body, headers=dict(request.headers.items()))
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def sign_at(server, key, method, path, body, when):
    """SigV4 computed here (stdlib only) at an arbitrary time, for clock-skew tests."""
    akid, secret = server.keys[key]
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    host = f"127.0.0.1:{server.port}"
    canonical = "\n".join([method, path, "", f"content-type:application/json\nhost:{host}\n"
                           f"x-amz-date:{amz_date}\n", "content-type;host;x-amz-date",
                           hashlib.sha256(body).hexdigest()])
    scope = f"{date}/us-east-1/inspector2/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, "us-east-1", "inspector2", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Amz-Date": amz_date,
               "Authorization": f"AWS4-HMAC-SHA256 Credential={akid}/{scope}, "
                                f"SignedHeaders=content-type;host;x-amz-date, Signature={signature}"}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def aws_cli(server, key, *args):
    akid, secret = server.keys[key]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret, AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    result = subprocess.run([AWS, "inspector2", *args, "--endpoint-url", server.endpoint,
                             "--region", "us-east-1", "--output", "json"],
                            capture_output=True, text=True, env=env, timeout=60)
    payload = json.loads(result.stdout) if result.returncode == 0 and result.stdout.strip() else None
    return result.returncode, payload, result.stderr


def error_code(call):
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"], error.response
    return None, None


def push_inventories(server, check):
    for account, instance, key in [(MEMBER_A, "i-0aaaaaaaaaaaaaaa1", "a"),
                                   (MEMBER_A, "i-0aaaaaaaaaaaaaaa2", "a"),
                                   (MEMBER_B, "i-0bbbbbbbbbbbbbbb1", "b")]:
        path = os.path.join(server.work, f"{instance}.json")
        subprocess.run([server.vigil, "agent", "collect", "--root",
                        os.path.join(server.source, "samples", "rootfs"), "--account", account,
                        "--instance-id", instance, "--region", "us-east-1", "--tag", "env=prod",
                        "-o", path], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(path, "rb") as handle:
            document = handle.read()
        status, _, body = signed(server, key, "POST", "/vigil/v1/agent/inventory", document)
        check.check(status == 200, f"push inventory {instance}", body[:300])
    # A member cannot push a document naming another account.
    with open(os.path.join(server.work, "i-0bbbbbbbbbbbbbbb1.json"), "rb") as handle:
        status, headers, _ = signed(server, "a", "POST", "/vigil/v1/agent/inventory", handle.read())
    check.check(status in (400, 403), "member pushes another account's document", status)
    status, headers, _ = signed(server, "ro_a", "POST", "/vigil/v1/agent/inventory", b"{}")
    check.check(status == 403 and headers.get("x-amzn-errortype") == "AccessDeniedException",
                "readonly cannot push", (status, headers.get("x-amzn-errortype")))


def wait_for_findings(server, expected_accounts):
    admin = client(server, "admin")
    deadline = time.time() + 60
    while time.time() < deadline:
        findings = admin.list_findings(maxResults=100)["findings"]
        if {f["awsAccountId"] for f in findings} >= expected_accounts:
            return findings
        time.sleep(0.5)
    return admin.list_findings(maxResults=100)["findings"]


def run(server, check):
    push_inventories(server, check)
    findings = wait_for_findings(server, {MEMBER_A, MEMBER_B})
    check.check(len(findings) >= 3, "admin sees findings of both members", len(findings))
    total = len(findings)

    # --- ListFindings through the Debian AWS CLI: happy path, auto-pagination, isolation.
    rc, out, err = aws_cli(server, "admin", "list-findings", "--max-results", "100", "--no-paginate")
    check.check(rc == 0 and len(out["findings"]) == total, "cli list-findings", err)
    rc, out, err = aws_cli(server, "admin", "list-findings", "--page-size", "1")
    check.check(rc == 0 and len(out["findings"]) == total, "cli auto-pagination across pages",
                (rc, err, out and len(out["findings"])))
    arns = [f["findingArn"] for f in out["findings"]] if out else []
    check.check(len(set(arns)) == len(arns), "pagination returns no duplicates", arns)
    rc, out, err = aws_cli(server, "a", "list-findings", "--page-size", "2")
    check.check(rc == 0 and out["findings"] and all(f["awsAccountId"] == MEMBER_A for f in out["findings"]),
                "cli member A sees only its findings", err)
    rc, out, err = aws_cli(server, "b", "list-findings", "--filter-criteria",
                           json.dumps({"awsAccountId": [{"comparison": "EQUALS", "value": MEMBER_A}]}))
    check.check(rc == 0 and out["findings"] == [], "member B cannot list A's findings by filter", out)
    rc, out, err = aws_cli(server, "admin", "list-findings", "--max-results", "1000", "--no-paginate")
    check.check(rc != 0 and "ValidationException" in err, "cli maxResults out of range", err)
    rc, out, err = aws_cli(server, "admin", "list-findings", "--sort-criteria",
                           "field=INSPECTOR_SCORE,sortOrder=DESC", "--filter-criteria",
                           json.dumps({"firstObservedAt": [{"startInclusive": "2020-01-01T00:00:00Z"}],
                                       "vulnerablePackages": [{"name": {"comparison": "EQUALS", "value": "curl"}}]}))
    check.check(rc == 0 and all(any(p["name"] == "curl" for p in
                                    f["packageVulnerabilityDetails"]["vulnerablePackages"])
                                for f in out["findings"]) and out["findings"],
                "cli list-findings with package filter and ISO dates", err)

    # --- boto3: typed timestamps, sort, filters.
    a, b, admin = client(server, "a"), client(server, "b"), client(server, "admin")
    page = admin.list_findings(maxResults=100, sortCriteria={"field": "SEVERITY", "sortOrder": "DESC"})
    check.check(all(isinstance(f["firstObservedAt"], datetime.datetime) for f in page["findings"]),
                "boto3 parses timestamps", page["findings"][:1])
    critical = admin.list_findings(filterCriteria={"severity": [{"comparison": "EQUALS", "value": "CRITICAL"}]})
    check.check(all(f["severity"] == "CRITICAL" for f in critical["findings"]), "severity filter", critical)
    code, _ = error_code(lambda: admin.list_findings(
        filterCriteria={"severity": [{"comparison": "EQUALS", "value": "X"},
                                     {"comparison": "NOT_EQUALS", "value": "Y"}]}))
    check.check(code == "ValidationException", "mixing EQUALS and NOT_EQUALS is rejected", code)
    code, response = error_code(lambda: admin.list_findings(nextToken="garbage"))
    check.check(code == "ValidationException", "bad nextToken", code)

    # --- BatchGetFindingDetails: isolation (B's finding is "not found" for A).
    b_arn = next(f["findingArn"] for f in findings if f["awsAccountId"] == MEMBER_B)
    a_arn = next(f["findingArn"] for f in findings if f["awsAccountId"] == MEMBER_A)
    if hasattr(a, "batch_get_finding_details"):
        details = a.batch_get_finding_details(findingArns=[a_arn, b_arn])
        check.check([d["findingArn"] for d in details["findingDetails"]] == [a_arn] and
                    [e["findingArn"] for e in details["errors"]] == [b_arn],
                    "batch-get-finding-details isolation", details)

    # --- ListFindingAggregations: every supported type, isolation, union validation.
    for aggregation_type in ["ACCOUNT", "AMI", "AWS_EC2_INSTANCE", "AWS_ECR_CONTAINER", "IMAGE_LAYER",
                             "PACKAGE", "REPOSITORY", "TITLE", "AWS_LAMBDA_FUNCTION", "LAMBDA_LAYER",
                             "FINDING_TYPE"]:
        try:
            response = admin.list_finding_aggregations(aggregationType=aggregation_type)
            check.check(response["aggregationType"] == aggregation_type,
                        f"aggregation {aggregation_type}", response)
        except botocore.exceptions.ClientError as error:
            check.check(False, f"aggregation {aggregation_type}", error)
    accounts = admin.list_finding_aggregations(aggregationType="ACCOUNT")["responses"]
    check.check({r["accountAggregation"]["accountId"] for r in accounts} == {MEMBER_A, MEMBER_B},
                "admin aggregation by account", accounts)
    accounts = a.list_finding_aggregations(aggregationType="ACCOUNT")["responses"]
    check.check([r["accountAggregation"]["accountId"] for r in accounts] == [MEMBER_A],
                "member aggregation isolation", accounts)
    packages = admin.list_finding_aggregations(aggregationType="PACKAGE", maxResults=1)
    check.check(len(packages["responses"]) == 1 and "nextToken" in packages, "aggregation pagination", packages)
    code, _ = error_code(lambda: admin.list_finding_aggregations(
        aggregationType="ACCOUNT", aggregationRequest={"amiAggregation": {}}))
    check.check(code == "ValidationException", "aggregationRequest member must match the type", code)
    rc, out, err = aws_cli(server, "admin", "list-finding-aggregations", "--aggregation-type", "PACKAGE",
                           "--page-size", "1")
    check.check(rc == 0 and len(out["responses"]) >= 2, "cli aggregation auto-pagination", err)

    # --- Coverage.
    coverage = admin.list_coverage()["coveredResources"]
    check.check({c["accountId"] for c in coverage} >= {MEMBER_A, MEMBER_B}, "admin coverage", coverage)
    coverage = a.list_coverage()["coveredResources"]
    check.check(coverage and all(c["accountId"] == MEMBER_A for c in coverage), "member coverage isolation", coverage)
    rc, out, err = aws_cli(server, "admin", "list-coverage", "--page-size", "1")
    check.check(rc == 0 and len(out["coveredResources"]) >= 3, "cli coverage pagination", err)
    stats = admin.list_coverage_statistics(groupBy="ACCOUNT_ID")
    check.check({g["groupKey"] for g in stats["countsByGroup"]} >= {MEMBER_A, MEMBER_B} and
                stats["totalCounts"] >= 3, "coverage statistics group values", stats)
    stats = b.list_coverage_statistics(groupBy="ACCOUNT_ID")
    check.check([g["groupKey"] for g in stats["countsByGroup"]] == [MEMBER_B], "statistics isolation", stats)
    code, _ = error_code(lambda: admin.list_coverage(
        filterCriteria={"resourceType": [{"comparison": "PREFIX", "value": "AWS"}]}))
    check.check(code == "ValidationException", "coverage filters have no PREFIX", code)

    # --- Filters / suppression rules.
    vulnerability = findings[0]["packageVulnerabilityDetails"]["vulnerabilityId"]
    rule = admin.create_filter(name="suppress-one", action="SUPPRESS", reason="accepted risk",
                               filterCriteria={"vulnerabilityId": [{"comparison": "EQUALS", "value": vulnerability}]},
                               tags={"team": "sec"})
    check.check(rule["arn"].startswith("arn:"), "create-filter", rule)
    suppressed = admin.list_findings(filterCriteria={
        "vulnerabilityId": [{"comparison": "EQUALS", "value": vulnerability}]})["findings"]
    check.check(suppressed and all(f["status"] == "SUPPRESSED" for f in suppressed),
                "SUPPRESS rule suppresses matching findings", [f["status"] for f in suppressed])
    saved = admin.create_filter(name="saved-view", action="NONE",
                                filterCriteria={"severity": [{"comparison": "EQUALS", "value": "HIGH"}]})
    listed = admin.list_filters()["filters"]
    check.check({f["arn"] for f in listed} >= {rule["arn"], saved["arn"]}, "list-filters", listed)
    rc, out, err = aws_cli(server, "admin", "list-filters", "--page-size", "1")
    check.check(rc == 0 and len(out["filters"]) >= 2, "cli list-filters pagination", err)
    only_suppress = admin.list_filters(action="SUPPRESS")["filters"]
    check.check(all(f["action"] == "SUPPRESS" for f in only_suppress), "list-filters by action", only_suppress)
    admin.update_filter(filterArn=saved["arn"], description="high only")
    updated = admin.list_filters(arns=[saved["arn"]])["filters"]
    check.check(updated and updated[0].get("description") == "high only", "update-filter", updated)
    code, _ = error_code(lambda: a.create_filter(name="x-member", action="NONE",
                                                 filterCriteria={"severity": [{"comparison": "EQUALS", "value": "HIGH"}]}))
    check.check(code == "AccessDeniedException", "member cannot create filters", code)
    code, _ = error_code(lambda: client(server, "ro_admin").create_filter(
        name="x-ro", action="NONE", filterCriteria={"severity": [{"comparison": "EQUALS", "value": "HIGH"}]}))
    check.check(code == "AccessDeniedException", "readonly cannot create filters", code)
    code, _ = error_code(lambda: client(server, "ro_admin").delete_filter(arn=saved["arn"]))
    check.check(code == "AccessDeniedException", "readonly cannot delete filters", code)
    code, _ = error_code(lambda: a.delete_filter(arn=saved["arn"]))
    check.check(code == "AccessDeniedException", "member cannot delete filters", code)
    code, _ = error_code(lambda: admin.update_filter(
        filterArn="arn:aws:inspector2:us-east-1:111111111111:owner/111111111111/filter/doesnotexist"))
    check.check(code == "ResourceNotFoundException", "update unknown filter", code)
    admin.delete_filter(arn=rule["arn"])
    restored = admin.list_findings(filterCriteria={
        "vulnerabilityId": [{"comparison": "EQUALS", "value": vulnerability}]})["findings"]
    check.check(restored and all(f["status"] == "ACTIVE" for f in restored),
                "deleting the rule reactivates findings", [f["status"] for f in restored])
    code, _ = error_code(lambda: admin.delete_filter(arn=rule["arn"]))
    check.check(code == "ResourceNotFoundException", "delete twice", code)
    rc, out, err = aws_cli(server, "admin", "create-filter", "--name", "cli-filter", "--action", "NONE",
                           "--filter-criteria", json.dumps({"resourceTags": [{"comparison": "EQUALS", "key": "env", "value": "prod"}]}))
    check.check(rc == 0 and out["arn"].startswith("arn:"), "cli create-filter", err)
    rc, out, err = aws_cli(server, "ro_a", "delete-filter", "--arn", saved["arn"])
    check.check(rc != 0 and "AccessDeniedException" in err, "cli readonly delete-filter", err)

    # --- Protocol errors: each class, unknown members and routes, authentication.
    status, headers, body = signed(server, "admin", "POST", "/findings/list", b'{"bogus": 1}')
    parsed = json.loads(body)
    check.check(status == 400 and headers.get("x-amzn-errortype") == "ValidationException" and
                parsed.get("reason") == "FIELD_VALIDATION_FAILED" and parsed["fields"][0]["name"] == "bogus",
                "unknown member -> ValidationException with fields", (status, body))
    status, headers, body = signed(server, "admin", "POST", "/findings/list", b'{not json')
    check.check(status == 400 and json.loads(body).get("reason") == "CANNOT_PARSE", "unparseable body", body)
    status, headers, body = signed(server, "admin", "POST", "/no/such/operation", b"{}")
    check.check(status == 404 and headers.get("x-amzn-errortype") == "UnknownOperationException",
                "unknown route", (status, headers))
    status, headers, _ = signed(server, None, "POST", "/findings/list", b"{}", sign=False)
    check.check(status == 403 and headers.get("x-amzn-errortype") == "MissingAuthenticationTokenException",
                "unsigned request", (status, headers))
    status, headers, _ = signed(server, "admin", "POST", "/findings/list", b"{}", secret="wrong-secret")
    check.check(status == 403 and headers.get("x-amzn-errortype") == "InvalidSignatureException",
                "bad signature -> 403", (status, headers))
    status, headers, _ = signed(server, None, "POST", "/findings/list", b"{}")
    check.check(status == 403 and headers.get("x-amzn-errortype") == "UnrecognizedClientException",
                "unknown access key", (status, headers))
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    status, headers, body = sign_at(server, "admin", "POST", "/findings/list", b"{}", old)
    check.check(status == 403 and b"Signature expired" in body, "signature outside the skew window", body)
    status, _, _ = sign_at(server, "admin", "POST", "/findings/list", b"{}",
                           datetime.datetime.now(datetime.timezone.utc))
    check.check(status == 200, "stdlib-signed request verifies", status)
    rc, out, err = aws_cli(server, "admin", "get-delegated-admin-account")
    check.check(rc != 0 and "NotImplemented" in err or rc == 0, "not-yet-implemented ops answer cleanly", err)
    status, headers, body = signed(server, "admin", "POST", "/findings/list", b'{"maxResults": 0}')
    check.check(status == 400 and json.loads(body)["fields"][0]["name"] == "maxResults",
                "server-side range check (botocore checks client-side too)", body)

    # --- Vigil endpoints.
    for path in ["/vigil/v1/db/status", "/vigil/v1/sla", "/metrics"]:
        status, _, body = signed(server, "a", "GET", path, b"", headers={})
        check.check(status == 200, f"GET {path}", body[:200])
    status, _, body = signed(server, "a", "GET", "/vigil/v1/sla", b"", headers={})
    rows = json.loads(body)["rows"] if status == 200 else []
    check.check(all(r["accountId"] == MEMBER_A for r in rows), "SLA report isolation", rows)
    status, _, body = signed(server, None, "GET", "/healthz", b"", headers={}, sign=False)
    check.check(status == 200, "healthz without auth", body)
    status, _, body = signed(server, None, "GET", "/metrics", b"", headers={}, sign=False)
    check.check(status == 403, "metrics require auth", status)


def run_network(server, check):
    """POST /vigil/v1/network, then NETWORK_REACHABILITY findings through the AWS CLI."""
    bundles = os.path.join(server.source, "tests", "data", "reachability")
    files = {}
    bastion = os.path.join(bundles, "bastion-ssh")
    for name in sorted(os.listdir(bastion)):
        if name.startswith("describe-"):
            with open(os.path.join(bastion, name)) as handle:
                files[name] = json.loads(handle.read().replace("123456789012", MEMBER_A))
    status, _, body = signed(server, "a", "POST", "/vigil/v1/network", json.dumps({"files": files}).encode())
    result = json.loads(body) if status == 200 else {}
    check.check(status == 200 and result.get("accountId") == MEMBER_A and result.get("networkFindings") == 1,
                "POST /vigil/v1/network (files)", body[:300])
    # A member cannot post a bundle of another account; a read-only key cannot post at all.
    status, _, body = signed(server, "b", "POST", "/vigil/v1/network",
                             json.dumps({"files": files}).encode())
    check.check(status in (400, 403), "member posts another account's bundle", (status, body[:200]))
    status, _, _ = signed(server, "ro_a", "POST", "/vigil/v1/network", json.dumps({"files": files}).encode())
    check.check(status == 403, "readonly cannot post a bundle", status)
    status, _, body = signed(server, "admin", "POST", "/vigil/v1/network",
                             json.dumps({"path": os.path.join(bundles, "nacl-deny")}).encode())
    result = json.loads(body) if status == 200 else {}
    check.check(status == 200 and result.get("accountId") == "123456789012" and result.get("instances") == 2,
                "POST /vigil/v1/network (path, account from the bundle)", body[:300])
    status, _, body = signed(server, "admin", "POST", "/vigil/v1/network", b'{"files": {}, "path": "x"}')
    check.check(status == 400, "files and path together are refused", body[:200])

    network = json.dumps({"findingType": [{"comparison": "EQUALS", "value": "NETWORK_REACHABILITY"}]})
    rc, out, err = aws_cli(server, "a", "list-findings", "--filter-criteria", network)
    found = out["findings"] if rc == 0 else []
    check.check(len(found) == 1 and found[0]["type"] == "NETWORK_REACHABILITY"
                and found[0]["title"] == "Port 22 is reachable from an Internet Gateway - TCP"
                and found[0]["severity"] == "MEDIUM"
                and found[0]["networkReachabilityDetails"]["openPortRange"] == {"begin": 22, "end": 22}
                and found[0]["networkReachabilityDetails"]["protocol"] == "TCP"
                and found[0]["networkReachabilityDetails"]["networkPath"]["steps"][0]["componentType"]
                == "AWS::EC2::InternetGateway"
                and "packageVulnerabilityDetails" not in found[0],
                "cli list-findings findingType NETWORK_REACHABILITY", (err, found))
    rc, out, err = aws_cli(server, "admin", "list-findings", "--filter-criteria", network)
    check.check(rc == 0 and {f["awsAccountId"] for f in out["findings"]} == {MEMBER_A, "123456789012"},
                "admin sees both accounts' network findings", (err, out))
    rc, out, err = aws_cli(server, "admin", "list-findings", "--filter-criteria",
                           json.dumps({"portRange": [{"beginInclusive": 80, "endInclusive": 80}]}))
    check.check(rc == 0 and len(out["findings"]) == 1
                and out["findings"][0]["networkReachabilityDetails"]["openPortRange"]["begin"] == 80,
                "cli list-findings portRange 80 (nacl-deny's web port; 22 is denied)", (err, out))
    rc, out, err = aws_cli(server, "b", "list-findings", "--filter-criteria", network)
    check.check(rc == 0 and out["findings"] == [], "member B sees no network findings", out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    if not os.path.exists(AWS):
        require_reference(AWS)
    work = tempfile.mkdtemp(prefix="vigil-api-conformance-")
    check = Checker()
    server = Server(os.path.abspath(args.vigil), os.path.abspath(args.source), work)
    try:
        run(server, check)
        run_network(server, check)
    finally:
        code = server.stop()
        check.check(code == 0, "graceful shutdown on SIGTERM", code)
    print(f"{check.passed} checks passed, {len(check.failures)} failed")
    if check.failures:
        print(open(os.path.join(work, "serve.log")).read()[-4000:])
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
