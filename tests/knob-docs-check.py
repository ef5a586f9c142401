#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the documentation of the knobs and counters against their lists.

usage: knob-docs-check.py [SYSCTL_RST [MAN_PAGE]]

The knobs and counters, with their descriptions, live once: in
TUNFIX_KNOB_LIST and TUNFIX_COUNTER_LIST, as `tunfixctl -j --list-knobs`
and `--list-counters` give them ($TUNFIXCTL, default tools/tunfixctl).
Documentation/sysctl.rst and tools/tunfixctl.8 must document each one,
its entry starting with the description of the list (markup and white
space aside; the first letter may be lower case in a table), and no other.
Knob entries must also give the knob's type and default.  Prints each
problem; exits 1 if there is any.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TUNFIXCTL = os.environ.get("TUNFIXCTL", os.path.join(ROOT, "tools/tunfixctl"))

# how sysctl.rst names the types (the shape of ip-sysctl.rst)
RST_TYPE = {"bool": "BOOLEAN", "u32": "INTEGER", "hex": "INTEGER",
            "protos": "LIST OF IP PROTOCOL NUMBERS", "ifname": "STRING",
            "ports": "LIST OF UDP PORTS"}

problems = []


def lists():
    def run(opt):
        return json.loads(subprocess.run([TUNFIXCTL, "-j", opt], check=True,
                                         capture_output=True, text=True).stdout)
    return run("--list-knobs"), run("--list-counters")


def norm(text):
    """Text without reStructuredText or roff markup, white space folded."""
    text = re.sub(r"\\f[BIRP]|\\&", "", text)
    text = text.replace(r"\-", "-").replace(r"\(dq", '"').replace(r"\(aq", "'")
    text = re.sub(r"``|\*\*|(?<!\w)[*`]|[*`](?!\w)", "", text)
    return " ".join(text.split())


def starts_with(entry, desc, fold_first=False):
    """entry begins with the description, then ends or goes on after a
    non-word character."""
    entry, desc = norm(entry), norm(desc)
    if fold_first:
        entry, desc = entry[:1].lower() + entry[1:], desc[:1].lower() + desc[1:]
    return entry.startswith(desc) and not re.match(r"\w", entry[len(desc):])


def check_entries(where, kind, docs, items, check):
    """docs: name -> documented text, in document order; items: the list."""
    names = [i["name"] for i in items]
    for name in docs:
        if name not in names:
            problems.append("%s: documents %s %s, which does not exist" %
                            (where, kind, name))
    for item in items:
        if item["name"] not in docs:
            problems.append("%s: %s %s is not documented" %
                            (where, kind, item["name"]))
        elif not check(item, docs[item["name"]]):
            problems.append("%s: %s %s: %r does not start with its description %r"
                            % (where, kind, item["name"],
                               norm(docs[item["name"]])[:100], item["description"]))


def rst_knobs(text):
    """sysctl.rst: 'name - TYPE' then an indented body; the body and the
    type of each."""
    body, rtype = {}, {}
    for m in re.finditer(r"^([a-z0-9_]+) - (.+)\n((?:\t.*\n|\n)+)", text, re.M):
        body[m.group(1)], rtype[m.group(1)] = m.group(3), m.group(2)
    return body, rtype


def rst_counters(text):
    """sysctl.rst: the rows of the counter table under 'Counters'."""
    out = {}
    part = text.split("\nCounters\n", 1)[-1]
    table = re.search(r"^(=+) =+\n(.*?)^=+ =+$", part, re.M | re.S)
    if not table:
        return out
    width = len(table.group(1)) + 1
    name = None
    for line in table.group(2).splitlines():
        if line[:width].strip():
            name = line[:width].strip()
            out[name] = ""
        if name:
            out[name] += " " + line[width:]
    return out


def man_section(text, title):
    """tunfixctl.8: '.TP', '.B name', then text, per entry of a section."""
    m = re.search(r"^\.SH %s\n(.*?)(?=^\.SH )" % title, text, re.M | re.S)
    out = {}
    for e in re.finditer(r"^\.TP\n\.B (\S+)\n(.*?)(?=^\.TP|\Z)",
                         m.group(1) if m else "", re.M | re.S):
        out[e.group(1).replace(r"\-", "-")] = e.group(2)
    return out


def main():
    rst_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Documentation/sysctl.rst")
    man_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "tools/tunfixctl.8")
    knobs, counters = lists()
    rst, man = open(rst_path).read(), open(man_path).read()

    rst_body, rst_type = rst_knobs(rst)

    def rst_knob(k, body):
        rtype = rst_type[k["name"]]
        m = re.search(r"^\tDefault: (.*)$", body, re.M)
        want = k["default"] or '""'
        if rtype != RST_TYPE.get(k["type"]):
            problems.append("%s: %s is %s, not %s" % (rst_path, k["name"], rtype,
                                                      RST_TYPE.get(k["type"])))
        if not m or not (m.group(1) + " ").startswith(want + " "):
            problems.append("%s: %s: the default is %s" % (rst_path, k["name"], want))
        return starts_with(body, k["description"])

    def man_knob(k, doc):
        tail = '; %s, default "%s".' % (k["type"], k["default"])
        if not norm(doc).endswith(tail):
            problems.append("%s: %s does not end with %r" % (man_path, k["name"], tail))
        return starts_with(doc, k["description"])

    check_entries(rst_path, "knob", rst_body, knobs, rst_knob)
    check_entries(rst_path, "counter", rst_counters(rst), counters,
                  lambda c, doc: starts_with(doc, c["description"], True))
    check_entries(man_path, "knob", man_section(man, "KNOBS"), knobs, man_knob)
    check_entries(man_path, "counter", man_section(man, "COUNTERS"), counters,
                  lambda c, doc: starts_with(doc, c["description"]))
    for p in problems:
        print("knob-docs-check: " + p)
    print("knob-docs-check: %d knobs, %d counters, %d problems" %
          (len(knobs), len(counters), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
