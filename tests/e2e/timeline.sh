#!/bin/bash
# --timeline FILE: a Chrome trace-event file of the transitions that Perfetto opens. The file is
# checked against tests/e2e/trace_event.schema.json with python3-jsonschema when it is installed
# (scripts/install-deps.sh), and always by the structural checks below: user spans between
# transitions, each transition a span named after its call with entry, kernel and exit spans that
# tile it, in time order.
. "$(dirname "$0")/lib.sh" "$@"
SCHEMA="$(dirname "$0")/trace_event.schema.json"
mkdir -p "$WORK"
out="$WORK/loop.json"
expect 0 "5 getpid calls" -- "$RINGSIDE" run --timeline="$out" "$GUEST_DIR/riscv64_syscall_loop.elf" 5
checks=$((checks + 1))
if ! python3 - "$out" "$SCHEMA" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
schema = json.load(open(sys.argv[2]))
try:
    import jsonschema
    jsonschema.validate(doc, schema)
    print("schema: validated with jsonschema", jsonschema.__name__)
except ImportError:
    print("schema: python3-jsonschema not installed; structural checks only")
ev = doc["traceEvents"]
assert all(e["ph"] in ("X", "M") for e in ev)
spans = [e for e in ev if e["ph"] == "X"]
calls = [e for e in spans if e["name"] not in ("user", "entry", "kernel", "exit")]
assert len(calls) == 8, len(calls)  # getpid x 6, write, exit_group
assert [c["name"] for c in calls].count("getpid") == 6
for c in calls:
    a = c["args"]
    assert a["mechanism"] == "ecall" and a["unit"] == "cycles", a
    parts = [e for e in spans if e["name"] in ("entry", "kernel", "exit")
             and c["ts"] <= e["ts"] < c["ts"] + max(c["dur"], 1)]
    names = [p["name"] for p in parts]
    want = ["entry", "kernel", "exit"] if a["return"] != "none" else ["entry", "kernel"]
    assert names == want, (c, names)
    assert sum(p["dur"] for p in parts) == c["dur"], (c, parts)
    for p, q in zip(parts, parts[1:]):
        assert p["ts"] + p["dur"] == q["ts"], (p, q)
    assert parts[0]["args"]["instructions"] == 1
users = [e for e in spans if e["name"] == "user"]
assert len(users) == len(calls) - 1
last = -1
for e in [e for e in spans if e["name"] not in ("entry", "kernel", "exit")]:
    assert e["ts"] >= last, e
    last = e["ts"] + e["dur"]
print("timeline: ok,", len(calls), "transitions")
PY
then
    echo "FAIL: $out is not the expected trace-event file"
    failures=$((failures + 1))
fi
# A file that cannot be written is a usage error.
expect 2 "--timeline: $WORK/none/t.json" -- \
    "$RINGSIDE" run --timeline="$WORK/none/t.json" "$GUEST_DIR/riscv64_hello.elf"
finish
