#!/usr/bin/env python3
"""Inspector2 conformance, organisation and report operations: drives /usr/bin/aws (where Debian's
CLI knows the operation) and boto3 (the newer ones) against `vigil serve`.

Usage: conformance_org.py --vigil PATH/TO/vigil --source /path/to/repo

Same set-up as conformance.py plus a management account (444444444444) and an account-admin key of
member A. For every operation: a happy path, an error class and a tenant-isolation check (member
keys cannot see or change other accounts, read-only keys cannot write). Exit 77 = skipped.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance  # noqa: E402  (re-executes under /usr/bin/python3 when boto3 is missing)
from conformance import (ADMIN, AWS, MEMBER_A, MEMBER_B, Checker, aws_cli, client,  # noqa: E402
                         error_code, push_inventories, require_reference, signed, wait_for_findings)

MGMT = "444444444444"
KMS = "arn:aws:kms:us-east-1:111111111111:key/vigil-test"


class OrgServer(conformance.Server):
    """conformance.Server with a management account and two more keys."""

    def __init__(self, vigil, source, work):  # pylint: disable=super-init-not-called
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
                         f'delegated_admin = "{ADMIN}"\nmanagement_account = "{MGMT}"\n')
        self.keys = {}
        for name, account, role in [("admin", ADMIN, "admin"), ("a", MEMBER_A, "member"),
                                    ("b", MEMBER_B, "member"), ("ro_a", MEMBER_A, "readonly"),
                                    ("ro_admin", ADMIN, "readonly"), ("mgmt", MGMT, "admin"),
                                    ("a_admin", MEMBER_A, "admin")]:
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


def cli_error(result, code):
    rc, _, err = result
    return rc != 0 and code in err


def raw_error(server, key, path, body):
    status, headers, data = signed(server, key, "POST", path, json.dumps(body).encode())
    return status, headers.get("x-amzn-errortype"), data


def org_checks(server, check):
    admin, a, b, mgmt = (client(server, k) for k in ("admin", "a", "b", "mgmt"))
    a_admin, ro_admin = client(server, "a_admin"), client(server, "ro_admin")

    # --- Enable / Disable / BatchGetAccountStatus
    rc, out, err = aws_cli(server, "admin", "enable", "--account-ids", MEMBER_A, "--resource-types", "EC2", "ECR")
    check.check(rc == 0 and out["accounts"][0]["resourceStatus"]["ec2"] == "ENABLED", "cli enable", err)
    check.check(cli_error(aws_cli(server, "a", "enable", "--resource-types", "EC2"), "AccessDeniedException"),
                "member key cannot enable", "")
    code, _ = error_code(lambda: a_admin.enable(accountIds=[MEMBER_B], resourceTypes=["EC2"]))
    check.check(code == "AccessDeniedException", "account admin cannot enable another account", code)
    rc, out, err = aws_cli(server, "admin", "disable", "--account-ids", MEMBER_B, "--resource-types", "LAMBDA")
    check.check(rc == 0 and out["accounts"][0]["resourceStatus"]["lambda"] == "DISABLED", "cli disable", err)
    check.check(cli_error(aws_cli(server, "ro_admin", "disable", "--account-ids", MEMBER_B), "AccessDeniedException"),
                "readonly cannot disable", "")
    code, _ = error_code(lambda: a_admin.disable(accountIds=[MEMBER_B]))
    check.check(code == "AccessDeniedException", "account admin cannot disable another account", code)
    rc, out, err = aws_cli(server, "admin", "batch-get-account-status", "--account-ids", MEMBER_A, MEMBER_B)
    check.check(rc == 0 and {x["accountId"] for x in out["accounts"]} == {MEMBER_A, MEMBER_B} and
                out["accounts"][0]["state"]["status"] == "ENABLED", "cli batch-get-account-status", (err, out))
    status, kind, _ = raw_error(server, "admin", "/status/batch/get", {"accountIds": ["12345"]})
    check.check(status == 400 and kind == "ValidationException", "account id length", (status, kind))
    out = a.batch_get_account_status(accountIds=[MEMBER_A, MEMBER_B])
    check.check([x["accountId"] for x in out["accounts"]] == [MEMBER_A] and
                [(f["accountId"], f["errorCode"]) for f in out["failedAccounts"]] == [(MEMBER_B, "ACCESS_DENIED")],
                "member queries only itself", out)

    # --- Organisation configuration
    rc, out, err = aws_cli(server, "admin", "update-organization-configuration", "--auto-enable",
                           "ec2=true,ecr=true,lambda=true")
    check.check(rc == 0 and out["autoEnable"]["lambda"] is True, "cli update-organization-configuration", err)
    rc, out, err = aws_cli(server, "ro_admin", "describe-organization-configuration")
    check.check(rc == 0 and out["autoEnable"]["ec2"] is True and out.get("maxAccountLimitReached") is False,
                "cli describe-organization-configuration", err)
    code, _ = error_code(lambda: admin.update_organization_configuration(
        autoEnable={"ec2": True, "ecr": True, "lambda": False, "lambdaCode": True}))
    check.check(code == "ValidationException", "lambdaCode needs lambda", code)
    check.check(cli_error(aws_cli(server, "a_admin", "update-organization-configuration", "--auto-enable",
                                  "ec2=false,ecr=false"), "AccessDeniedException"), "member cannot update org config", "")
    check.check(cli_error(aws_cli(server, "a", "describe-organization-configuration"), "AccessDeniedException"),
                "member cannot read org config", "")

    # --- Members
    rc, out, err = aws_cli(server, "admin", "associate-member", "--account-id", "666666666666")
    check.check(rc == 0 and out["accountId"] == "666666666666", "cli associate-member", err)
    check.check(cli_error(aws_cli(server, "a_admin", "associate-member", "--account-id", "777777777777"),
                          "AccessDeniedException"), "member cannot associate", "")
    code, _ = error_code(lambda: ro_admin.associate_member(accountId="777777777777"))
    check.check(code == "AccessDeniedException", "readonly cannot associate", code)
    rc, out, err = aws_cli(server, "admin", "list-members", "--page-size", "1")
    ids = [m["accountId"] for m in out["members"]] if out else []
    check.check(rc == 0 and {MEMBER_A, MEMBER_B, "666666666666"} <= set(ids) and len(ids) == len(set(ids)),
                "cli list-members auto-pagination", (err, ids))
    rc, out, err = aws_cli(server, "a", "list-members")
    check.check(rc == 0 and [m["accountId"] for m in out["members"]] == [MEMBER_A], "member lists only itself", out)
    code, _ = error_code(lambda: admin.list_members(nextToken="garbage"))
    check.check(code == "ValidationException", "list-members bad token", code)
    rc, out, err = aws_cli(server, "admin", "get-member", "--account-id", MEMBER_B)
    check.check(rc == 0 and out["member"]["accountId"] == MEMBER_B and
                out["member"]["delegatedAdminAccountId"] == ADMIN, "cli get-member", err)
    check.check(cli_error(aws_cli(server, "a", "get-member", "--account-id", MEMBER_B), "ResourceNotFoundException"),
                "member cannot get another member", "")
    code, _ = error_code(lambda: admin.get_member(accountId="777777777777"))
    check.check(code == "ResourceNotFoundException", "get unknown member", code)
    rc, out, err = aws_cli(server, "admin", "disassociate-member", "--account-id", "666666666666")
    check.check(rc == 0, "cli disassociate-member", err)
    relationship = admin.get_member(accountId="666666666666")["member"]["relationshipStatus"]
    check.check(relationship == "REMOVED", "disassociated member is REMOVED", relationship)
    code, _ = error_code(lambda: admin.disassociate_member(accountId="777777777777"))
    check.check(code == "ValidationException", "disassociate a non-member", code)
    code, _ = error_code(lambda: a_admin.disassociate_member(accountId=MEMBER_B))
    check.check(code == "AccessDeniedException", "member cannot disassociate", code)

    # --- Scan configuration
    rc, out, err = aws_cli(server, "admin", "update-configuration", "--ecr-configuration", "rescanDuration=DAYS_30")
    check.check(rc == 0, "cli update-configuration", err)
    admin.update_configuration(ecrConfiguration={"rescanDuration": "DAYS_30", "pullDateRescanDuration": "DAYS_90"},
                               ec2Configuration={"scanMode": "EC2_HYBRID"})
    rc, out, err = aws_cli(server, "b", "get-configuration")
    check.check(rc == 0 and out["ecrConfiguration"]["rescanDurationState"]["rescanDuration"] == "DAYS_30",
                "cli get-configuration", err)
    state = b.get_configuration()
    check.check(state["ec2Configuration"]["scanModeState"]["scanMode"] == "EC2_HYBRID" and
                state["ecrConfiguration"]["rescanDurationState"]["pullDateRescanDuration"] == "DAYS_90",
                "boto3 get-configuration (newer members)", state)
    code, _ = error_code(lambda: admin.update_configuration(
        ecrConfiguration={"rescanDuration": "DAYS_30", "pullDateRescanDuration": "LIFETIME"}))
    check.check(code == "ValidationException", "pull-date duration enum", code)
    check.check(cli_error(aws_cli(server, "a_admin", "update-configuration", "--ecr-configuration",
                                  "rescanDuration=LIFETIME"), "AccessDeniedException"),
                "member cannot update configuration", "")

    # --- Tags (filter ARNs)
    arn = admin.create_filter(name="tagged", action="NONE", tags={"team": "sec"},
                              filterCriteria={"severity": [{"comparison": "EQUALS", "value": "HIGH"}]})["arn"]
    rc, out, err = aws_cli(server, "admin", "tag-resource", "--resource-arn", arn, "--tags", "env=prod")
    check.check(rc == 0, "cli tag-resource", err)
    rc, out, err = aws_cli(server, "a", "list-tags-for-resource", "--resource-arn", arn)
    check.check(rc == 0 and out["tags"] == {"team": "sec", "env": "prod"}, "cli list-tags-for-resource", (err, out))
    rc, out, err = aws_cli(server, "admin", "untag-resource", "--resource-arn", arn, "--tag-keys", "team")
    check.check(rc == 0 and admin.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"},
                "cli untag-resource", err)
    missing = f"arn:aws:inspector2:us-east-1:{ADMIN}:owner/{ADMIN}/filter/doesnotexist"
    check.check(cli_error(aws_cli(server, "admin", "list-tags-for-resource", "--resource-arn", missing),
                          "ResourceNotFoundException"), "tags of an unknown ARN", "")
    code, _ = error_code(lambda: admin.tag_resource(resourceArn=missing, tags={"a": "b"}))
    check.check(code == "ResourceNotFoundException", "tag an unknown ARN", code)
    code, _ = error_code(lambda: b.tag_resource(resourceArn=arn, tags={"x": "y"}))
    check.check(code == "AccessDeniedException", "member cannot tag the organisation's filter", code)
    code, _ = error_code(lambda: client(server, "ro_a").untag_resource(resourceArn=arn, tagKeys=["env"]))
    check.check(code == "AccessDeniedException", "readonly cannot untag", code)

    # --- ListUsageTotals
    rc, out, err = aws_cli(server, "admin", "list-usage-totals", "--page-size", "1")
    accounts = {t["accountId"] for t in out["totals"]} if out else set()
    check.check(rc == 0 and {MEMBER_A, MEMBER_B} <= accounts and
                all(u["currency"] == "USD" for t in out["totals"] for u in t["usage"]),
                "cli list-usage-totals auto-pagination", (err, accounts))
    usage = a.list_usage_totals(accountIds=[MEMBER_A, MEMBER_B])["totals"]
    check.check([t["accountId"] for t in usage] == [MEMBER_A], "usage isolation", usage)
    code, _ = error_code(lambda: admin.list_usage_totals(nextToken="garbage"))
    check.check(code == "ValidationException", "usage bad token", code)

    # --- Delegated administrator (last: it briefly removes the designation)
    rc, out, err = aws_cli(server, "admin", "get-delegated-admin-account")
    check.check(rc == 0 and out["delegatedAdmin"]["accountId"] == ADMIN, "cli get-delegated-admin-account", err)
    check.check(cli_error(aws_cli(server, "a", "get-delegated-admin-account"), "AccessDeniedException"),
                "member cannot read the administrator", "")
    rc, out, err = aws_cli(server, "mgmt", "list-delegated-admin-accounts")
    check.check(rc == 0 and out["delegatedAdminAccounts"] == [{"accountId": ADMIN, "status": "ENABLED"}],
                "cli list-delegated-admin-accounts", (err, out))
    code, _ = error_code(lambda: b.list_delegated_admin_accounts())
    check.check(code == "AccessDeniedException", "member cannot list administrators", code)
    code, _ = error_code(lambda: mgmt.list_delegated_admin_accounts(nextToken="garbage"))
    check.check(code == "ValidationException", "administrators bad token", code)
    check.check(cli_error(aws_cli(server, "admin", "enable-delegated-admin-account", "--delegated-admin-account-id",
                                  "555555555555"), "AccessDeniedException"), "only management designates", "")
    code, response = error_code(lambda: mgmt.enable_delegated_admin_account(delegatedAdminAccountId="555555555555"))
    check.check(code == "ConflictException", "second administrator conflicts", code)
    code, _ = error_code(lambda: mgmt.disable_delegated_admin_account(delegatedAdminAccountId=MEMBER_A))
    check.check(code == "ResourceNotFoundException", "remove a non-administrator", code)
    code, _ = error_code(lambda: a_admin.disable_delegated_admin_account(delegatedAdminAccountId=ADMIN))
    check.check(code == "AccessDeniedException", "member cannot remove the administrator", code)
    rc, out, err = aws_cli(server, "mgmt", "disable-delegated-admin-account", "--delegated-admin-account-id", ADMIN)
    check.check(rc == 0 and out["delegatedAdminAccountId"] == ADMIN, "cli disable-delegated-admin-account", err)
    check.check("delegatedAdmin" not in mgmt.get_delegated_admin_account(), "administrator removed", "")
    rc, out, err = aws_cli(server, "mgmt", "enable-delegated-admin-account", "--delegated-admin-account-id", ADMIN)
    check.check(rc == 0 and out["delegatedAdminAccountId"] == ADMIN, "cli enable-delegated-admin-account", err)
    check.check(len(admin.list_findings(maxResults=100)["findings"]) > 0, "restored administrator sees all", "")


def wait_report(get, report_id):
    deadline = time.time() + 60
    while True:
        status = get(report_id)
        if status["status"] != "IN_PROGRESS" or time.time() > deadline:
            return status
        time.sleep(0.2)


def report_checks(server, check):
    admin, a, b = client(server, "admin"), client(server, "a"), client(server, "b")
    exports = os.path.join(server.data, "exports")
    get_report = lambda c: (lambda rid: c.get_findings_report_status(reportId=rid))  # noqa: E731
    get_sbom = lambda c: (lambda rid: c.get_sbom_export(reportId=rid))  # noqa: E731

    # --- Findings reports (CLI: create/status/cancel)
    destination = f"bucketName=reports,keyPrefix=daily/org,kmsKeyArn={KMS}"
    rc, out, err = aws_cli(server, "admin", "create-findings-report", "--report-format", "JSON",
                           "--s3-destination", destination)
    check.check(rc == 0 and out.get("reportId"), "cli create-findings-report", err)
    report_id = out["reportId"] if out else ""
    status = wait_report(get_report(admin), report_id)
    path = os.path.join(exports, "reports", "daily", "org", report_id + ".json")
    check.check(status["status"] == "SUCCEEDED" and os.path.exists(path), "report SUCCEEDED and written", status)
    if os.path.exists(path):
        with open(path) as handle:
            accounts = {f["awsAccountId"] for f in json.load(handle)["findings"]}
        check.check(accounts == {MEMBER_A, MEMBER_B}, "organisation report covers both members", accounts)
    rc, out, err = aws_cli(server, "admin", "get-findings-report-status", "--report-id", report_id)
    check.check(rc == 0 and out["status"] == "SUCCEEDED" and out["destination"]["bucketName"] == "reports",
                "cli get-findings-report-status", err)
    check.check(cli_error(aws_cli(server, "admin", "cancel-findings-report", "--report-id", report_id),
                          "ValidationException"), "finished report cannot be cancelled", "")
    check.check(cli_error(aws_cli(server, "a", "get-findings-report-status", "--report-id", report_id),
                          "ResourceNotFoundException"), "member cannot see the administrator's report", "")
    code, _ = error_code(lambda: client(server, "a_admin").cancel_findings_report(reportId=report_id))
    check.check(code == "ResourceNotFoundException", "member cannot cancel the administrator's report", code)
    code, _ = error_code(lambda: admin.create_findings_report(
        reportFormat="CSV", s3Destination={"bucketName": "../etc", "kmsKeyArn": KMS}))
    check.check(code == "ValidationException", "report bucket name checked", code)
    code, _ = error_code(lambda: client(server, "ro_admin").create_findings_report(
        reportFormat="CSV", s3Destination={"bucketName": "reports", "kmsKeyArn": KMS}))
    check.check(code == "AccessDeniedException", "readonly cannot create reports", code)
    report_id = a.create_findings_report(reportFormat="CSV", s3Destination={"bucketName": "member-a", "kmsKeyArn": KMS})["reportId"]
    status = wait_report(get_report(a), report_id)
    path = os.path.join(exports, "member-a", report_id + ".csv")
    rows = open(path).read().splitlines()[1:] if os.path.exists(path) else []
    check.check(status["status"] == "SUCCEEDED" and rows and all(r.startswith(MEMBER_A + ",") for r in rows),
                "member CSV report holds only its findings", (status, rows[:2]))
    report_id = b.create_findings_report(
        reportFormat="JSON", s3Destination={"bucketName": "member-b", "kmsKeyArn": KMS},
        filterCriteria={"awsAccountId": [{"comparison": "EQUALS", "value": MEMBER_A}]})["reportId"]
    status = wait_report(get_report(b), report_id)
    check.check(status["status"] == "FAILED" and status.get("errorCode") == "NO_FINDINGS_FOUND",
                "member B cannot report A's findings", status)
    report_id = admin.create_findings_report(reportFormat="JSON", s3Destination={"bucketName": "cancel", "kmsKeyArn": KMS})["reportId"]
    rc, out, err = aws_cli(server, "admin", "cancel-findings-report", "--report-id", report_id)
    status = wait_report(get_report(admin), report_id)
    check.check((rc == 0 and status["status"] == "CANCELLED") or
                (rc != 0 and "ValidationException" in err and status["status"] == "SUCCEEDED"),
                "cli cancel-findings-report", (rc, err, status))

    # --- SBOM exports (boto3: not in Debian's model)
    sbom_destination = {"bucketName": "sbom", "keyPrefix": "cdx", "kmsKeyArn": KMS}
    report_id = admin.create_sbom_export(
        reportFormat="CYCLONEDX_1_4", s3Destination=sbom_destination,
        resourceFilterCriteria={"accountId": [{"comparison": "EQUALS", "value": MEMBER_A}]})["reportId"]
    status = wait_report(get_sbom(admin), report_id)
    directory = os.path.join(exports, "sbom", "cdx", report_id)
    files = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    check.check(status["status"] == "SUCCEEDED" and status["format"] == "CYCLONEDX_1_4" and
                files == ["i-0aaaaaaaaaaaaaaa1.cdx.json", "i-0aaaaaaaaaaaaaaa2.cdx.json"],
                "create-sbom-export / get-sbom-export with accountId filter", (status, files))
    if files:
        with open(os.path.join(directory, files[0])) as handle:
            bom = json.load(handle)
        check.check(bom.get("bomFormat") == "CycloneDX" and bom.get("components"), "CycloneDX content", bom.keys())
    report_id = b.create_sbom_export(
        reportFormat="SPDX_2_3", s3Destination={"bucketName": "member-b", "kmsKeyArn": KMS},
        resourceFilterCriteria={"resourceId": [{"comparison": "EQUALS", "value": "i-0aaaaaaaaaaaaaaa1"},
                                               {"comparison": "EQUALS", "value": "i-0bbbbbbbbbbbbbbb1"}]})["reportId"]
    status = wait_report(get_sbom(b), report_id)
    directory = os.path.join(exports, "member-b", report_id)
    files = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    check.check(status["status"] == "SUCCEEDED" and files == ["i-0bbbbbbbbbbbbbbb1.spdx.json"],
                "member B exports only its own SBOMs", (status, files))
    code, _ = error_code(lambda: a.get_sbom_export(reportId=report_id))
    check.check(code == "ResourceNotFoundException", "member A cannot see B's export", code)
    code, _ = error_code(lambda: client(server, "a_admin").cancel_sbom_export(reportId=report_id))
    check.check(code == "ResourceNotFoundException", "member A cannot cancel B's export", code)
    code, _ = error_code(lambda: b.cancel_sbom_export(reportId=report_id))
    check.check(code == "ValidationException", "finished export cannot be cancelled", code)
    code, _ = error_code(lambda: admin.create_sbom_export(reportFormat="CYCLONEDX_1_6", s3Destination=sbom_destination))
    check.check(code == "ValidationException", "unknown SBOM format", code)
    code, _ = error_code(lambda: client(server, "ro_a").create_sbom_export(reportFormat="SPDX_2_3",
                                                                          s3Destination=sbom_destination))
    check.check(code == "AccessDeniedException", "readonly cannot export", code)
    report_id = admin.create_sbom_export(reportFormat="SPDX_2_3", s3Destination=sbom_destination)["reportId"]
    try:
        admin.cancel_sbom_export(reportId=report_id)
        cancelled = True
    except botocore_client_error():
        cancelled = False
    status = wait_report(get_sbom(admin), report_id)
    check.check(status["status"] == ("CANCELLED" if cancelled else "SUCCEEDED"), "cancel-sbom-export", status)

    # --- SearchVulnerabilities (boto3)
    found = a.search_vulnerabilities(filterCriteria={"vulnerabilityIds": ["CVE-2023-38545"]})["vulnerabilities"]
    check.check(len(found) == 1 and found[0]["id"] == "CVE-2023-38545" and "baseScore" in found[0].get("cvss3", {})
                and "epss" in found[0] and found[0].get("source") == "NVD", "search-vulnerabilities", found)
    found = admin.search_vulnerabilities(filterCriteria={"vulnerabilityIds": ["CVE-2021-44228"]})["vulnerabilities"]
    check.check(found and "cisaData" in found[0] and "exploitObserved" in found[0], "KEV intelligence", found)
    status, kind, _ = raw_error(server, "admin", "/vulnerabilities/search", {"filterCriteria": {"vulnerabilityIds": []}})
    check.check(status == 400 and kind == "ValidationException", "search needs an id", (status, kind))
    found = b.search_vulnerabilities(filterCriteria={"vulnerabilityIds": ["CVE-1999-0001"]})["vulnerabilities"]
    check.check(found == [], "unknown vulnerability", found)


def botocore_client_error():
    import botocore.exceptions  # noqa: PLC0415
    return botocore.exceptions.ClientError


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    if not os.path.exists(AWS):
        require_reference(AWS)
    work = tempfile.mkdtemp(prefix="vigil-api-conformance-org-")
    check = Checker()
    server = OrgServer(os.path.abspath(args.vigil), os.path.abspath(args.source), work)
    try:
        push_inventories(server, check)
        wait_for_findings(server, {MEMBER_A, MEMBER_B})
        org_checks(server, check)
        report_checks(server, check)
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
