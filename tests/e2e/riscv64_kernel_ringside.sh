#!/bin/bash
# The riscv64 guest kernel (src/kernel) and the user programs (guests/) under `ringside run`:
# every program's output and exit status, the kernel's fault reports, budgets, and the transition
# log (src/timing): --trace=syscalls lines, --report tables in text, JSON and CSV, and counts that
# follow what the program does. Needs no QEMU (riscv64_kernel_ringside_qemu.sh compares with it).
. "$(dirname "$0")/lib.sh" "$@"

prog() { printf '%s' "$GUEST_DIR/riscv64_${1//-/_}.elf"; }
HELLO=$(prog hello)

# Every program: output and exit status.
expect 0 "hello from riscv64: argc=3" -- "$RINGSIDE" run "$HELLO" a b
expect 0 "argv[0]=$HELLO" -- "$RINGSIDE" run "$HELLO"
expect 0 "argv[1]=with space" -- "$RINGSIDE" run "$HELLO" 'with space' $'tab\there' 'back\slash'
expect 0 'argv[3]=back\slash' -- "$RINGSIDE" run "$HELLO" 'with space' $'tab\there' 'back\slash'
expect 0 "syscall-loop: 1000 getpid calls, 1000 with the same pid" -- \
    "$RINGSIDE" run "$(prog syscall-loop)" 1000
expect 0 "bad-pointer: the kernel survived" -- "$RINGSIDE" run "$(prog bad-pointer)"
expect 0 "write(unmapped ptr 0x1000) = -14" -- "$RINGSIDE" run "$(prog bad-pointer)"
expect 0 "read(0, read-only ptr: main) = -14" -- "$RINGSIDE" run "$(prog bad-pointer)"
expect 0 "syscall(999) = -38" -- "$RINGSIDE" run "$(prog unknown-syscall)"
expect 0 "ioctl(1, TCGETS) = -25" -- "$RINGSIDE" run "$(prog syscalls)"
expect 0 "syscalls: done" -- "$RINGSIDE" run "$(prog syscalls)"
expect 42 "exit: calling exit(42)" -- "$RINGSIDE" run "$(prog exit)"

# A user fault kills the program (128 + SIGSEGV / SIGILL) and the kernel says why.
expect 139 "killed: pid 1: page fault (scause 15) at va 0x80000000 pc 0x" -- \
    "$RINGSIDE" run "$(prog segfault)"
expect 132 "killed: pid 1: illegal instruction (scause 2)" -- "$RINGSIDE" run "$(prog illegal)"

# A kernel fault (kfault on the kernel command line, through --append) stops the machine: 125.
expect 125 "kernel fault: scause 0xd (load page fault) sepc 0x" -- \
    "$RINGSIDE" run --append=kfault "$HELLO"
expect 125 "the kernel stack's guard page (stack overflow)" -- \
    "$RINGSIDE" run --append=kfault "$HELLO"
expect 0 "trampoline 0x3ffffff000, trapframe 0x3fffffe000" -- \
    "$RINGSIDE" run --append=verbose "$HELLO"
expect 0 "argv[1]=x" -- "$RINGSIDE" run -a verbose "$HELLO" x

# A program that never exits: the instruction budget ends it with 124 and one clear line.
expect 124 "spin: looping forever" -- "$RINGSIDE" run --max-insns=500000 "$(prog spin)"
expect 124 "ringside: stopped after 500000 instructions: instruction budget of 500000 exhausted" \
    -- "$RINGSIDE" run --max-insns=500000 "$(prog spin)"

# --trace=syscalls: one line per crossing on stderr; stdout stays the program's.
trace=$("$RINGSIDE" run --trace=syscalls "$HELLO" a 2>&1 >/dev/null)
out=$("$RINGSIDE" run --trace=syscalls "$HELLO" a 2>/dev/null)
checks=$((checks + 1))
if [ "$out" != "$("$RINGSIDE" run "$HELLO" a)" ]; then
    echo "FAIL: --trace=syscalls changed stdout"; failures=$((failures + 1))
fi
# like: a line of $trace matches the extended regular expression
like() {
    checks=$((checks + 1))
    if ! printf '%s\n' "$2" | grep -qE -- "$1"; then
        echo "FAIL: no line matches '$1'"; printf '%s\n' "$2" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}
# hello writes "hello from riscv64: argc=2\n" (27 bytes), then one line per argument.
like '^\[riscv64 ecall\] write\(1, 0x[0-9a-f]+, 27\) = 27 -> sret   entry 1 / kernel [0-9]+ / exit 1 insns, entry [0-9]+ / kernel [0-9]+ / exit [0-9]+ cycles, entry [0-9]+ / kernel [0-9]+ / exit [0-9]+ misses$' "$trace"
like '^\[riscv64 ecall\] write\(1, 0x[0-9a-f]+, 10\) = 10 -> sret ' "$trace" # argv[1]=a
like '^\[riscv64 ecall\] exit_group\(0\) = \?   entry 1 / kernel [0-9]+ insns, entry [0-9]+ / kernel [0-9]+ cycles, entry [0-9]+ / kernel [0-9]+ misses \(no return: the run ended in the kernel\)$' "$trace"
checks=$((checks + 1))
if [ "$(printf '%s\n' "$trace" | grep -c '^\[riscv64 ecall\] write(')" -ne 3 ]; then
    echo "FAIL: hello a: expected 3 write lines"; printf '%s\n' "$trace" | sed 's/^/    /'
    failures=$((failures + 1))
fi
# Errors show as negative errno with the name; faults that cross are traced too.
like '^\[riscv64 ecall\] syscall_999\(.*\) = -38 ENOSYS -> sret' \
    "$("$RINGSIDE" run --trace=syscalls "$(prog unknown-syscall)" 2>&1 >/dev/null)"
like '^\[riscv64 ecall\] ioctl\(1, 21505, .*\) = -25 ENOTTY' \
    "$("$RINGSIDE" run --trace=syscalls "$(prog syscalls)" 2>&1 >/dev/null)"
like '^\[riscv64 exception\] store/AMO page fault \(scause=15, stval=0x80000000\) at pc 0x[0-9a-f]+   entry 1 / kernel [0-9]+ insns, entry [0-9]+ / kernel [0-9]+ cycles, entry [0-9]+ / kernel [0-9]+ misses \(no return' \
    "$("$RINGSIDE" run --trace=syscalls "$(prog segfault)" 2>&1 >/dev/null)"
like '^\[riscv64 exception\] illegal instruction \(scause=2, stval=0\) at pc 0x' \
    "$("$RINGSIDE" run --trace=syscalls "$(prog illegal)" 2>&1 >/dev/null)"

# --report: the per-syscall and per-mechanism tables. syscall-loop N calls getpid N times in its
# loop and once before it, so N + 1 getpid transitions; every one of them returns.
expect 0 "riscv64  getpid              172     251" -- \
    "$RINGSIDE" run --report "$(prog syscall-loop)" 250
expect 0 "ecall              sret     252" -- "$RINGSIDE" run --report "$(prog syscall-loop)" 250
expect 0 "syscall,riscv64,getpid,172,,,251,251,1,1,1," -- \
    "$RINGSIDE" run --report=csv "$(prog syscall-loop)" 250
expect 0 "table,abi,name,number,mechanism,return,count,returned,entry_insns_min" -- \
    "$RINGSIDE" run --report=csv "$(prog syscall-loop)" 250
expect 0 "arch,stop,exit_status,instructions,time,insn" -- \
    "$RINGSIDE" run --report=csv "$(prog syscall-loop)" 250
json=$WORK/loop.json
"$RINGSIDE" run --report=json "$(prog syscall-loop)" 250 2>"$json" >/dev/null
checks=$((checks + 1))
if command -v python3 >/dev/null; then
    # The JSON parses, and its numbers agree with what the program did.
    if ! python3 - "$json" <<'EOF'; then
import json, sys
r = json.load(open(sys.argv[1]))
t = r["transitions"]
calls = {s["name"]: s for s in t["syscalls"]}
assert r["stop"] == "guest exit" and r["exit_status"] == 0, r
assert calls["getpid"]["count"] == 251 and calls["getpid"]["returned"] == 251, calls["getpid"]
assert calls["getpid"]["number"] == 172 and calls["getpid"]["abi"] == "riscv64"
assert calls["write"]["count"] == 1 and calls["exit_group"]["count"] == 1
assert calls["exit_group"]["returned"] == 0 and calls["exit_group"]["exit"]["insns"] is None
k = calls["getpid"]["kernel"]["insns"]
assert 0 < k["min"] <= k["median"] <= k["max"], k
assert calls["getpid"]["entry"]["insns"] == {"min": 1, "median": 1, "max": 1}
assert calls["getpid"]["exit"]["insns"] == {"min": 1, "median": 1, "max": 1}
assert t["count"] == sum(s["count"] for s in t["syscalls"]) == 253
assert t["returned"] == 252 and t["open_at_end"] == 1 and t["returns_without_entry"] == 1
mech = {(m["mechanism"], m["return"]): m for m in t["mechanisms"]}
assert mech[("ecall", "sret")]["count"] == 252 and mech[("ecall", None)]["count"] == 1
assert r["events"]["priv"] == 2 * 252 + 1 + 1 + 1  # + mret to S, first sret, exit_group entry
EOF
        echo "FAIL: --report=json of syscall-loop 250"; sed 's/^/    /' "$json"
        failures=$((failures + 1))
    fi
else
    grep -q '"name": "getpid", "number": 172, "count": 251, "returned": 251' "$json" || {
        echo "FAIL: --report=json lacks the getpid row"; failures=$((failures + 1)); }
fi
# One more loop iteration is one more getpid transition.
expect 0 "riscv64  getpid              172       1" -- \
    "$RINGSIDE" run --report "$(prog syscall-loop)" 0
expect 0 "riscv64  getpid              172       2" -- \
    "$RINGSIDE" run --report "$(prog syscall-loop)" 1
# The kernel fault happens before the program starts: no transitions, and the report says so.
expect 125 "transitions: 0 from user to kernel mode" -- \
    "$RINGSIDE" run --report --append=kfault "$HELLO"
# A killed program's fault is a transition that never returned.
expect 139 "exception             -       1" -- "$RINGSIDE" run --report "$(prog segfault)"

# ringside demo: the kernel runs hello and syscall-loop from the binary itself.
expect 0 "syscall-loop: 100 getpid calls, 100 with the same pid" -- "$RINGSIDE" demo
expect 0 "argv[2]=the demo" -- "$RINGSIDE" demo
expect 0 "[riscv64 ecall] exit_group(0) = ?" -- "$RINGSIDE" demo
expect 0 "riscv64  getpid              172     101" -- "$RINGSIDE" demo
expect 0 "every mechanism on every architecture that ran" -- "$RINGSIDE" demo
expect 0 "  riscv64  u74     ecall -> sret         102        7" -- "$RINGSIDE" demo

finish
