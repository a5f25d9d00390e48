#!/bin/bash
# The timing model never changes results: the same program under two timing profiles prints the
# same output and exits with the same status, while guest time (cycles) differs. And guest-visible
# time follows the model: a benchmark that measures its own crossings with rdcycle / rdtsc sees
# the cycles --report gives for them (plus its loop's few instructions).
. "$(dirname "$0")/lib.sh" "$@"

same_output() { # label, then the two commands separated by --
    local label=$1; shift
    local a=() b=()
    while [ "$1" != "--" ]; do a+=("$1"); shift; done; shift
    b=("$@")
    checks=$((checks + 1))
    local out_a out_b st_a st_b
    out_a=$("${a[@]}" 2>/dev/null); st_a=$?
    out_b=$("${b[@]}" 2>/dev/null); st_b=$?
    if [ "$out_a" != "$out_b" ] || [ "$st_a" != "$st_b" ] || [ -z "$out_a" ]; then
        echo "FAIL: $label: outputs or statuses differ ($st_a, $st_b)"
        diff <(printf '%s\n' "$out_a") <(printf '%s\n' "$out_b") | head -5
        failures=$((failures + 1))
    fi
}
time_of() { "$@" --report=json 2>&1 >/dev/null | sed -n 's/.*"time": \([0-9]*\).*/\1/p'; }

for prog in "riscv64_hello.elf a b" "riscv64_syscall_loop.elf 50"; do
    set -- $prog
    p=$GUEST_DIR/$1; shift
    same_output "$prog: u74 vs rocket" "$RINGSIDE" run --cpu=u74 "$p" "$@" -- \
        "$RINGSIDE" run --cpu=rocket "$p" "$@"
done
same_output "i386 multiboot hello: intel vs amd" \
    "$RINGSIDE" run --cpu=intel --kernel "$GUEST_DIR/i386_multiboot_hello.elf" -- \
    "$RINGSIDE" run --cpu=amd --kernel "$GUEST_DIR/i386_multiboot_hello.elf"

# ...but the profiles' cycles differ, and cycles are not instructions.
checks=$((checks + 1))
t_u74=$("$RINGSIDE" run --cpu=u74 --report=json "$GUEST_DIR/riscv64_syscall_loop.elf" 50 2>&1 >/dev/null)
t_rocket=$("$RINGSIDE" run --cpu=rocket --report=json "$GUEST_DIR/riscv64_syscall_loop.elf" 50 2>&1 >/dev/null)
if ! python3 - "$t_u74" "$t_rocket" <<'PY'
import json, sys
a, b = (json.loads(x) for x in sys.argv[1:3])
assert a["instructions"] == b["instructions"], "the same instructions retire"
assert a["time"] != b["time"], "different profiles, different cycles"
assert a["time"] != a["instructions"] and b["time"] != b["instructions"]
# The kernel switches satp back to the program's page table before sret; without ASIDs that
# flushes the modeled TLBs, so the first user fetch after each getpid misses the I-TLB.
g = next(s for s in a["transitions"]["syscalls"] if s["name"] == "getpid")
assert g["exit"]["misses"]["min"] >= 1, g["exit"]
PY
then
    echo "FAIL: cycles under u74 and rocket"; failures=$((failures + 1))
fi

# Guest-visible time: the benchmark's own rdcycle/rdtsc figure against the report's crossings.
guest_vs_model() { # image, printed label, cpu
    checks=$((checks + 1))
    local out
    out=$("$RINGSIDE" run --cpu="$3" --report=json --kernel "$GUEST_DIR/$1.elf" 2>&1)
    if ! printf '%s\n' "$out" | python3 -c '
import json, re, sys
text = sys.stdin.read()
guest = int(re.search(sys.argv[1] + r": (\d+)", text).group(1))
rep = json.loads(next(l for l in text.splitlines() if l.startswith("{\"arch\"")))
m = max((m for m in rep["transitions"]["mechanisms"] if m["return"]), key=lambda m: m["count"])
model = sum(m[p]["cycles"]["median"] for p in ("entry", "kernel", "exit"))
print(sys.argv[2], "guest", guest, "model", model)
assert model <= guest <= model + 3, (guest, model)
' "$2" "$1 $3"; then
        echo "FAIL: $1 ($3): guest-measured cycles do not follow the model"
        failures=$((failures + 1))
    fi
}
guest_vs_model bench_rv_sel4_ipc "cycles per one-way IPC" u74
guest_vs_model bench_rv_sel4_ipc "cycles per one-way IPC" rocket
guest_vs_model bench_x86_int80 "cycles per round trip" intel
guest_vs_model bench_x86_int80 "cycles per round trip" amd
finish
