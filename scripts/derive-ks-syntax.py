#!/usr/bin/env python3
"""Derive remaster's kickstart option tables (src/kickstart/syntax/tables.ts)
from pykickstart's handler tables.

Facts only, no code: for each release this script asks pykickstart which
command names its handler maps (and whether a name is a deprecated or removed
command), and for each command's and section's option parser the option
spellings, how many values an option takes, the value type (int, float,
boolean, comma list, or a fixed set of words), whether it is required and
whether it is deprecated, and the positional arguments. remaster's own parser
(src/kickstart/syntax/argv.ts) and per-command rules (rules.ts) use them.

Run from the project root:
  PYTHONPATH=../shared/oracles/pykickstart python3 scripts/derive-ks-syntax.py > src/kickstart/syntax/tables.ts
"""
import json
import subprocess
import sys

import pykickstart
from pykickstart import version as ksversion
from pykickstart.base import DeprecatedCommand, RemovedCommand
from pykickstart.parser import KickstartParser
from pykickstart.version import makeVersion

# remaster dialect -> pykickstart release.
RELEASES = {
    "rhel5": "RHEL5", "rhel6": "RHEL6", "rhel7": "RHEL7", "rhel8": "RHEL8",
    "rhel9": "RHEL9", "rhel10": "RHEL10", "fedora": "F45",
}

# Value checks done by a command's own callback; the map it consults (case-insensitive).
MAP_CALLBACKS = {"_type_cb": "typeMap", "level_cb": "levelMap", "_level_cb": "levelMap", "_when_cb": "whenMap"}
# Callbacks that only rewrite a value and never reject one.
PASS_CALLBACKS = {"part_cb", "_device_cb", "firewall_port_cb", "_teamslaves_cb", "str"}
SECTIONS = ["%packages", "%pre", "%pre-install", "%post", "%onerror", "%traceback", "%certificate"]


def arity(action):
    name = type(action).__name__
    if name in ("_StoreTrueAction", "_StoreFalseAction", "_StoreConstAction", "_AppendConstAction", "_CountAction", "ExtendConstAction"):
        return 0
    n = action.nargs
    if n is None:
        return 1
    return n if isinstance(n, str) else int(n)


def value_type(obj, action):
    t = action.type
    if t is None:
        return None
    name = getattr(t, "__name__", "")
    if name == "int":
        return "int"
    if name == "float":
        return "float"
    if name == "ksboolean":
        return "bool"
    if name == "commaSplit":
        return "list"
    if name == "mountpoint":
        return "mountpoint"
    if name in MAP_CALLBACKS:
        return {"words": sorted(k.lower() for k in getattr(obj, MAP_CALLBACKS[name]).keys())}
    if name in PASS_CALLBACKS:
        return None
    raise SystemExit("unknown option type %r on %s" % (name, action.option_strings))


def plain(value):
    """A JSON-safe default or constant, or None when it is not plain data."""
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return list(value)
    return None


def describe_parser(obj, op):
    options, positionals = [], []
    for a in op._actions:
        spec = {"dest": a.dest}
        if plain(a.default) is not None:
            spec["default"] = plain(a.default)
        if plain(getattr(a, "const", None)) is not None:
            spec["const"] = plain(a.const)
        t = value_type(obj, a)
        if a.option_strings:
            spec["names"] = list(a.option_strings)
        spec["arity"] = arity(a)
        if t is not None:
            spec["type"] = t
        if a.choices is not None:
            spec["choices"] = list(a.choices)
        if a.required:
            spec["required"] = True
        if not a.option_strings:
            positionals.append(spec)
            continue
        if getattr(a, "deprecated", False):
            spec["deprecated"] = True
        if type(a).__name__ in ("_AppendAction", "ExtendAction", "_AppendConstAction", "ExtendConstAction", "_CountAction"):
            spec["repeat"] = True
        options.append(spec)
    out = {"options": options}
    if positionals:
        out["positionals"] = positionals
    return out


def lineage(cls):
    """The command classes this one derives from, nearest first (their rules apply to it)."""
    return [c.__name__ for c in cls.__mro__[1:] if "_" in c.__name__ and c.__module__.startswith("pykickstart.commands")]


def parser_of(obj):
    op = getattr(obj, "op", None)
    if op is None and hasattr(obj, "_getParser"):
        op = obj._getParser()
    return op


def main():
    classes = {}
    releases = {}
    for dialect, release in RELEASES.items():
        handler = makeVersion(ksversion.stringToVersion(release))
        commands = {}
        for name in sorted(handler.commands):
            obj = handler.commands[name]
            if obj is None:
                continue
            cls = type(obj).__name__
            if isinstance(obj, RemovedCommand):
                commands[name] = {"class": cls, "status": "removed"}
                continue
            if isinstance(obj, DeprecatedCommand):
                commands[name] = {"class": cls, "status": "deprecated"}
                continue
            commands[name] = {"class": cls}
            if cls not in classes:
                op = parser_of(obj)
                classes[cls] = describe_parser(obj, op) if op is not None else {"options": []}
                classes[cls]["lineage"] = lineage(type(obj))
                if obj.conflictingCommands:
                    classes[cls]["conflicts"] = list(obj.conflictingCommands)
        parser = KickstartParser(handler)
        sections = {}
        for tag in SECTIONS:
            section = parser.getSection(tag)
            sections[tag[1:]] = describe_parser(section, section._getParser())
        releases[dialect] = {"release": release, "number": ksversion.stringToVersion(release), "commands": commands, "sections": sections}
    commit = subprocess.run(["git", "-C", pykickstart.__path__[0], "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    numbers = {k: v for k, v in ksversion.versionMap.items() if k != "DEVEL"}
    sys.stdout.write(HEADER % {"version": pykickstart.__version__, "commit": commit or "435ebbef"})
    sys.stdout.write("export const RELEASE_NUMBERS: Readonly<Record<string, number>> = %s;\n\n" % json.dumps(numbers, sort_keys=True))
    sys.stdout.write("export const PARSERS: Readonly<Record<string, ParserSpec>> = {\n%s};\n\n" % "".join(
        "  %s: %s,\n" % (json.dumps(name), parser_text(spec)) for name, spec in sorted(classes.items())))
    sys.stdout.write("export const RELEASES: Readonly<Record<SyntaxDialect, ReleaseSpec>> = {\n%s};\n" % "".join(
        "  %s: %s,\n" % (dialect, release_text(spec)) for dialect, spec in releases.items()))


def compact(value):
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def parser_text(spec):
    """One option per line, so a regenerated table diffs by option."""
    lines = ["{", '    "options": ['] + ["      %s," % compact(o) for o in spec["options"]] + ["    ],"]
    for key in ("positionals", "conflicts", "lineage"):
        if key in spec:
            lines.append('    "%s": %s,' % (key, compact(spec[key])))
    return "\n".join(lines + ["  }"])


def release_text(spec):
    commands = ["      %s: %s," % (json.dumps(name), compact(c)) for name, c in sorted(spec["commands"].items())]
    sections = ["      %s: %s," % (json.dumps(name), parser_text(s).replace("\n", "\n    ")) for name, s in spec["sections"].items()]
    return "\n".join(["{", '    "release": %s, "number": %d,' % (json.dumps(spec["release"]), spec["number"]), '    "commands": {'] + commands
                     + ["    },", '    "sections": {'] + sections + ["    },", "  }"])


HEADER = """/**
 * GENERATED by scripts/derive-ks-syntax.py: do not edit by hand.
 *
 * Kickstart syntax per release as data: which commands each release's parser
 * maps (deprecated and removed ones marked), and for every command and
 * section the options it takes (spellings, number of values, value type,
 * fixed choices, required, deprecated) and its positional arguments.
 * Derived from pykickstart %(version)s (commit %(commit)s) handler tables,
 * i.e. the syntax each release documents, by querying its option parsers;
 * no pykickstart code is copied. Per-command rules that are not option
 * tables (argument counts, conflicts, duplicates) are in rules.ts.
 */
/* eslint-disable */
import type { ParserSpec, ReleaseSpec, SyntaxDialect } from './types.ts';

"""

if __name__ == "__main__":
    main()
