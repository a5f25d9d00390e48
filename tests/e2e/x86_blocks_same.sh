#!/bin/bash
# The x86 core runs decoded blocks, reported as EV_BLOCK, when every subscriber of instructions
# takes batches (src/cpu/x86/cpu.c "Blocks"); --trace=insns subscribes to single EV_INSNs, which
# turns blocks off. Both runs must retire the same instructions in the same guest time, with the
# same transitions (an MD5 of the "transitions" member of --report=json) and the same output.
# tests/unit/x86/test_blocks.c checks that blocks are used at all.
. "$(dirname "$0")/lib.sh" "$@"

# label, then the run's arguments
same() {
    local label=$1
    shift
    checks=$((checks + 1))
    local report='
import hashlib, json, sys
text = sys.stdin.read()
d = json.loads(text[text.index("{\"arch\""):].split("\n")[0])
t = hashlib.md5(json.dumps(d["transitions"], sort_keys=True).encode()).hexdigest()[:16]
b = d["events"].get("block")  # not reported where EV_BLOCK counts only as EV_INSN
print(d["instructions"], d["time"], t, b is None or b > 0)'
    local blocks single
    # the report is one line of stderr; the trace's lines are not kept
    blocks=$("$RINGSIDE" run --report=json "$@" 2>&1 >"$WORK/blocks.out" | grep -F '{"arch"' |
        python3 -c "$report")
    single=$("$RINGSIDE" run --report=json --trace=insns "$@" 2>&1 >"$WORK/single.out" |
        grep -F '{"arch"' | python3 -c "$report")
    if [ -z "$blocks" ] || [ "${blocks% *}" != "${single% *}" ] ||
        ! cmp -s "$WORK/blocks.out" "$WORK/single.out"; then
        echo "FAIL: $label: with blocks '$blocks', one at a time '$single'"
        failures=$((failures + 1))
    elif [ "${blocks##* }" != True ]; then
        echo "FAIL: $label: no EV_BLOCK with the model attached ('$blocks')"
        failures=$((failures + 1))
    fi
}

G=$GUEST_DIR
for cpu in intel amd; do
    same "int80 $cpu" --cpu=$cpu --kernel "$G/bench_x86_int80.elf"
    same "ring3 int80 $cpu" --cpu=$cpu --kernel "$G/i386_ring3_int80.elf"
    same "ring3 int80 64 $cpu" --cpu=$cpu --kernel "$G/x86_64_ring3_int80.elf"
    same "syscall iret $cpu" --cpu=$cpu --kernel "$G/bench_x86_syscall_iret.elf"
    same "sysenter 32 $cpu" --cpu=$cpu --kernel "$G/bench_x86_sysenter32.elf"
    same "multiboot hello $cpu" --cpu=$cpu --kernel "$G/i386_multiboot_hello.elf"
done
# Under the embedded guest kernel: paging, CR3 and CS loads (the blocks are checked again), ring 3.
(
    cd "$G" || exit 1
    same "i386 syscall loop" i386_syscall_loop.elf 50
    same "i386 syscall loop sysenter" --mech=sysenter i386_syscall_loop.elf 50
    same "x86_64 syscall loop" x86_64_syscall_loop.elf 50
    same "x86_64 segfault" x86_64_segfault.elf
    [ "$failures" -eq 0 ]
) || failures=$((failures + 1))
checks=$((checks + 4))

finish
