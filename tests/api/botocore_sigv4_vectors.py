#!/usr/bin/env python3
"""Prints SigV4 test vectors signed by botocore itself (independent of Vigil's signer).

Output: a JSON list of {method, target, headers: [[name, value]...], body, access_key, secret,
region, service, authorization}. Exit code 3 when no botocore is importable (the C++ test
skips then, unless VIGIL_REQUIRE_REFERENCE=1).
"""
import json
import sys

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    try:  # Debian's awscli v2 vendors botocore; importing awscli makes it importable
        import awscli  # noqa: F401
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError:
        sys.exit(3)
from urllib.parse import urlsplit

CASES = [
    ("POST", "http://127.0.0.1:8443/findings/list",
     {"Content-Type": "application/json"},
     b'{"maxResults": 10, "filterCriteria": {"severity": [{"comparison": "EQUALS", "value": "CRITICAL"}]}}'),
    ("POST", "http://127.0.0.1:8443/delegatedadminaccounts/get", {}, b""),
    ("GET", "http://localhost/tags/arn%3Aaws%3Ainspector2%3Aus-east-1%3A111122223333%3Aowner%2F111122223333%2Ffilter%2Fabcd1234",
     {}, b""),
    ("DELETE", "http://127.0.0.1:9/tags/arn%3Aaws%3Ainspector2%3Aus-east-1%3A111122223333%3Aowner%2F111122223333%2Ffilter%2Fab?tagKeys=b&tagKeys=a",
     {}, b""),
    ("GET", "http://127.0.0.1:9/encryptionkey/get?scanType=PACKAGE&resourceType=AWS_EC2_INSTANCE&x=a%20b~c",
     {"X-Custom": "  several   spaces\tand tab  "}, b""),
    ("POST", "http://127.0.0.1:9/vigil/v1/./agent/../agent/inventory",
     {"Content-Type": "application/json; charset=utf-8"}, b'{"schemaVersion": 1}'),
]

out = []
for index, (method, url, headers, body) in enumerate(CASES):
    credentials = Credentials(f"AKIDVIGILTEST{index:07d}", f"secret/key+{index}==example")
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(credentials, "inspector2", "us-east-1").add_auth(request)
    parts = urlsplit(url)
    host = parts.hostname if parts.port in (None, 80) else f"{parts.hostname}:{parts.port}"
    target = parts.path + (("?" + parts.query) if parts.query else "")
    sent = [[name, value] for name, value in request.headers.items() if name.lower() != "authorization"]
    sent.append(["Host", host])
    out.append({
        "method": method, "target": target, "headers": sent, "body": body.decode(),
        "access_key": credentials.access_key, "secret": credentials.secret_key,
        "region": "us-east-1", "service": "inspector2",
        "authorization": request.headers["Authorization"],
    })
print(json.dumps(out))
