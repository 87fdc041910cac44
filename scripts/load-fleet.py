#!/usr/bin/python3
"""Loads a `vigil simulate fleet` output directory into a running `vigil serve`.

Usage: scripts/load-fleet.py ENDPOINT FLEET_DIR   (keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
an organisation-wide admin key: the fleet spans several accounts)

Posts, SigV4-signed with botocore (Debian's python3-botocore): every account's describe-instances
(so unmanaged and stopped instances are known) and its network bundle (network/<account>/, read by
the server: reachability and NETWORK_REACHABILITY findings), every host's agent document, the repositories
and their images (OCI layouts the server reads by path) and the functions with their code and
layer zips. Prints a count per kind; exits 1 on the first refused request.
"""
import glob
import json
import os
import sys
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def post(endpoint, path, body):
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    request = AWSRequest(method="POST", url=endpoint + path, data=data,
                         headers={"Content-Type": "application/json"})
    credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    SigV4Auth(credentials, "inspector2", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")).add_auth(request)
    prepared = urllib.request.Request(request.url, data=data, method="POST",
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=120) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        sys.exit(f"load-fleet: POST {path}: HTTP {error.code}: {error.read().decode()[:300]}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    endpoint, fleet = sys.argv[1].rstrip("/"), os.path.abspath(sys.argv[2])
    counts = {"instances": 0, "network findings": 0, "hosts": 0, "repositories": 0, "images": 0, "functions": 0}
    for path in sorted(glob.glob(os.path.join(fleet, "network", "*", "describe-instances.json"))):
        account = os.path.basename(os.path.dirname(path))
        with open(path, "rb") as handle:
            body = json.load(handle)
        body["accountId"] = account
        counts["instances"] += len(post(endpoint, "/vigil/v1/instances", body).get("resourceIds", []))
        # The account's whole network bundle (the server reads the directory): reachability,
        # NETWORK_REACHABILITY findings, and scores of the hosts pushed next.
        result = post(endpoint, "/vigil/v1/network", {"accountId": account, "path": os.path.dirname(path)})
        counts["network findings"] += result.get("networkFindings", 0)
    for path in sorted(glob.glob(os.path.join(fleet, "hosts", "*", "*.json"))):
        with open(path, "rb") as handle:
            post(endpoint, "/vigil/v1/agent/inventory", handle.read())
        counts["hosts"] += 1
    with open(os.path.join(fleet, "repositories.json")) as handle:
        repositories = json.load(handle)["repositories"]
    for repo in repositories:
        account = repo["registryId"]
        post(endpoint, "/vigil/v1/repositories",
             {"name": repo["repositoryName"], "scanFrequency": repo["scanFrequency"], "accountId": account})
        counts["repositories"] += 1
        for image in repo.get("images", []):
            post(endpoint, "/vigil/v1/images",
                 {"repository": repo["repositoryName"], "source": "oci:" + os.path.join(fleet, image["path"]),
                  "digest": image["imageDigest"], "tags": [image["imageTag"]],
                  "pushedAt": image["imagePushedAt"], "accountId": account})
            counts["images"] += 1
    for config_path in sorted(glob.glob(os.path.join(fleet, "functions", "*", "*", "configuration.json"))):
        folder = os.path.dirname(config_path)
        with open(config_path) as handle:
            config = json.load(handle)
        code = os.path.join(folder, "code.zip")
        layers = []
        for layer in config.get("Layers", []):
            name, version = layer["Arn"].split(":")[-2:]
            layers.append(os.path.join(fleet, "layers", f"{name}-{version}.zip"))
        body = {"configuration": config, "layerZips": layers,
                "accountId": os.path.basename(os.path.dirname(folder))}
        if os.path.exists(code):
            body["codeZip"] = code
        post(endpoint, "/vigil/v1/functions", body)
        counts["functions"] += 1
    print("loaded: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()))


if __name__ == "__main__":
    main()
