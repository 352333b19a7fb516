#!/usr/bin/env python3
"""botocore's S3SigV4PostAuth as a reference for presignPost (test/s3/post-botocore.node.test.ts).

Reads a JSON array of cases on stdin, writes a JSON array of answers on stdout. Each case:
  {"region": ..., "date": ISO string, "credentials": {...}, "policy": {"expiration", "conditions"},
   "ours": base64 policy from presignPost}
Each answer: {"fields": botocore's fields for that policy (auth conditions appended by botocore),
  "policy": the policy botocore signed, "oursSignature": botocore's signature of our base64 policy}
"""
import datetime
import json
import sys
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

answers = []
for case in json.load(sys.stdin):
    c = case["credentials"]
    creds = Credentials(c["accessKeyId"], c["secretAccessKey"], c.get("sessionToken"))
    when = datetime.datetime.strptime(case["date"], "%Y-%m-%dT%H:%M:%S.%fZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
        auth = botocore.auth.S3SigV4PostAuth(creds, "s3", case["region"])
        request = AWSRequest(method="POST", url="https://bucket.s3.amazonaws.com/", data={}, headers={})
        request.context["s3-presign-post-fields"] = {}
        request.context["s3-presign-post-policy"] = case["policy"]
        auth.add_auth(request)
        ours = auth.signature(case["ours"], request)
    answers.append(
        {
            "fields": request.context["s3-presign-post-fields"],
            "policy": request.context["s3-presign-post-policy"],
            "oursSignature": ours,
        }
    )
json.dump(answers, sys.stdout)
