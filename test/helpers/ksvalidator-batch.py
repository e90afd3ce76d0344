#!/usr/bin/env python3
"""Run pykickstart's own ksvalidator (tools/ksvalidator.py, imported from the
oracle checkout on PYTHONPATH) on many files for several versions in one
process, and print one JSON object per line:

  {"file": ..., "version": ..., "rc": N, "messages": [...]}

rc is exactly what `ksvalidator -v VERSION FILE` would exit with (its main()
is called unchanged); messages are its printed output, stdout and stderr.

Usage: ksvalidator-batch.py VALIDATOR_PY VERSION[,VERSION...] FILE...
The working directory matters as it does for ksvalidator: %ksappend paths
are read relative to it.
"""
import contextlib
import importlib.util
import io
import json
import sys
import warnings


def load_validator(path):
    spec = importlib.util.spec_from_file_location("ksvalidator", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    validator = load_validator(argv[0])
    versions = argv[1].split(",")
    for version in versions:
        for name in argv[2:]:
            out = io.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                try:
                    rc, messages = validator.main(["-v", version, name])
                except Exception as e:  # a crash of the validator is a verdict too
                    rc, messages = 99, ["crash: %r" % (e,)]
            printed = [line for line in out.getvalue().splitlines() if line.strip() and not line.startswith("Checking kickstart file")]
            record = {"file": name, "version": version, "rc": rc, "messages": printed + [m for m in messages if m]}
            sys.stdout.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
