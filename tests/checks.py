"""Check counting shared by the Python tests: each prints a summary line
'NAME: N checks, M failed' that ctest output and CI read."""
import sys

_counts = {"checks": 0, "failed": 0}


def check(cond, what):
    _counts["checks"] += 1
    if not cond:
        _counts["failed"] += 1
        print("FAILED:", what, file=sys.stderr)


def finish(name):
    print(f"{name}: {_counts['checks']} checks, {_counts['failed']} failed")
    sys.exit(1 if _counts["failed"] else 0)
