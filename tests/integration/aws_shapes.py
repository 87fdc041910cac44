#!/usr/bin/python3
"""Checks that every describe-*.json / get-*.json fixture under the given directory has exactly
the shape the AWS CLI prints: each key is a member of the command's output shape in the botocore
service model shipped by Debian's awscli package, each value has the member's type, and enum
values are in the model's enum. Exits 77 (skipped) when the model is not installed.

Usage: aws_shapes.py DIR
"""
import glob
import json
import os
import sys

MODEL_ROOTS = [
    "/usr/lib/python3/dist-packages/awscli/botocore/data",  # Debian awscli (AWS CLI v2)
    "/usr/lib/python3/dist-packages/botocore/data",  # python3-botocore
]

# command -> (service, output shape)
COMMANDS = {
    "describe-instances": ("ec2", "DescribeInstancesResult"),
    "describe-network-interfaces": ("ec2", "DescribeNetworkInterfacesResult"),
    "describe-security-groups": ("ec2", "DescribeSecurityGroupsResult"),
    "describe-network-acls": ("ec2", "DescribeNetworkAclsResult"),
    "describe-route-tables": ("ec2", "DescribeRouteTablesResult"),
    "describe-subnets": ("ec2", "DescribeSubnetsResult"),
    "describe-vpcs": ("ec2", "DescribeVpcsResult"),
    "describe-internet-gateways": ("ec2", "DescribeInternetGatewaysResult"),
    "describe-nat-gateways": ("ec2", "DescribeNatGatewaysResult"),
    "describe-vpc-peering-connections": ("ec2", "DescribeVpcPeeringConnectionsResult"),
    "describe-managed-prefix-lists": ("ec2", "DescribeManagedPrefixListsResult"),
    "get-managed-prefix-list-entries": ("ec2", "GetManagedPrefixListEntriesResult"),
    "describe-load-balancers": ("elbv2", "DescribeLoadBalancersOutput"),
    "describe-listeners": ("elbv2", "DescribeListenersOutput"),
    "describe-target-groups": ("elbv2", "DescribeTargetGroupsOutput"),
    "describe-target-health": ("elbv2", "DescribeTargetHealthOutput"),
}

# Values real AWS output carries although the model's enum omits them.
KNOWN_OFF_MODEL = {
    # describe-internet-gateways reports an attached gateway as "available" (AWS CLI docs
    # examples); the model enum is attaching|attached|detaching|detached.
    ("AttachmentStatus", "available"),
}

# Fixtures that are broken on purpose (they test diagnostics).
BROKEN_ON_PURPOSE = {("broken-bundle", "describe-nat-gateways.json")}


def load_shapes(root, service):
    directory = os.path.join(root, service)
    version = sorted(os.listdir(directory))[-1]
    with open(os.path.join(directory, version, "service-2.json")) as handle:
        return json.load(handle)["shapes"]


def check(shapes, shape_name, value, path, problems):
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object")
            return
        for key, item in value.items():
            member = shape["members"].get(key)
            if member is None:
                problems.append(f"{path}: {key} is not a member of {shape_name}")
                continue
            check(shapes, member["shape"], item, f"{path}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        for index, item in enumerate(value):
            check(shapes, shape["member"]["shape"], item, f"{path}[{index}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string")
        elif "enum" in shape and value not in shape["enum"] and (shape_name, value) not in KNOWN_OFF_MODEL:
            problems.append(f"{path}: {value!r} is not in {shape_name}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean")
    elif kind in ("timestamp", "blob"):
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string ({kind})")
    elif kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected a number")


def main():
    root = next((r for r in MODEL_ROOTS if os.path.isdir(os.path.join(r, "ec2"))), None)
    if root is None:
        print("skipped: no botocore service model (apt-get install awscli)")
        return 77
    models = {}
    problems = []
    checked = 0
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*", "*.json"))):
        case, name = os.path.basename(os.path.dirname(path)), os.path.basename(path)
        command = name[:-len(".json")].split(".")[0]
        if command not in COMMANDS or (case, name) in BROKEN_ON_PURPOSE:
            continue
        service, shape = COMMANDS[command]
        if service not in models:
            models[service] = load_shapes(root, service)
        with open(path) as handle:
            check(models[service], shape, json.load(handle), f"{case}/{name}", problems)
        checked += 1
    for problem in problems:
        print(problem)
    print(f"{checked} files checked, {len(problems)} problems")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
