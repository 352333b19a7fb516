"""botocore's credential resolver as a reference for awsig/credentials.

Reads a JSON list of scenarios on stdin: {"name", "env": {...}, "mfaCode": optional}. For each, the
process environment is replaced by exactly the scenario's (nothing of the caller's AWS_* or ~/.aws
leaks in: HOME is the scenario's), a fresh botocore Session resolves credentials, and one JSON line
is printed: {"name", "ok": true, "accessKeyId", "sessionToken", "region"} or {"name", "ok": false,
"error"}.
"""
import json
import os
import sys

import botocore.credentials
import botocore.session
import botocore.tokens

KEEP = ("PATH", "SYSTEMROOT", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")


def resolve(scenario):
    base = {k: os.environ[k] for k in KEEP if k in os.environ}
    env = dict(base)
    env.update(scenario["env"])
    # No ~/.boto or /etc/boto.cfg (botocore's legacy boto provider).
    env.setdefault("BOTO_CONFIG", os.path.join(env.get("HOME", "/nonexistent"), ".boto-none"))
    os.environ.clear()
    os.environ.update(env)
    cache_dir = os.path.join(env.get("HOME", "/nonexistent"), ".aws", "sso", "cache")
    # Computed at import from the HOME of then: point them at this scenario's.
    botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR = cache_dir
    botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR = cache_dir

    session = botocore.session.Session()
    resolver = session.get_component("credential_provider")
    code = scenario.get("mfaCode")
    try:
        resolver.get_provider("assume-role")._prompter = lambda prompt: code
    except Exception:
        pass
    creds = session.get_credentials()
    if creds is None:
        return {"ok": False, "error": "NoCredentials: botocore found no credentials"}
    frozen = creds.get_frozen_credentials()
    return {
        "ok": True,
        "accessKeyId": frozen.access_key,
        "sessionToken": frozen.token,
        "region": session.get_config_variable("region"),
        "method": creds.method,
    }


def main():
    scenarios = json.load(sys.stdin)
    for scenario in scenarios:
        try:
            result = resolve(scenario)
        except Exception as e:  # every failure is an answer: "both fail" is a result
            result = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        result["name"] = scenario["name"]
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
