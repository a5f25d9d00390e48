#!/bin/bash
# The timing model's speed work (branch tmspeed: memoized per-instruction static info, inline
# cache/TLB hit paths, mask-indexed branch tables, inline event dispatch, the log reading the
# model's clock in place) changed no modeled cycle. The numbers below were recorded with the
# binary BEFORE that work (commit 9c876ad) on the same guest images: retired instructions, guest
# time (the model's cycles) and an MD5 of the whole "transitions" member of --report=json (every
# transition's instructions, cycles and misses per part). Each must still come out exactly.
#
# The images are bare-metal assembly (bench/transitions, bench/riscv64, tests/baremetal), plus
# riscv64_syscall_loop under the built-in kernel. If the model's cycles or one of these images
# change on purpose, re-record the line with the new binary and say so in the commit.
# Re-recorded: the six x86 int $0x80 lines, when IRET to ring 3 was calibrated on Linux
# 2a23c6b8a9c4 (branch tmx86; IRET's return to ring 3 went from 61 to 309 cycles on intel).
# Re-recorded: "syscall loop u74", when the u74's L1 ways were taken from the FU740 device tree
# (branch profiles; I$ 2 -> 4 ways, D$ 4 -> 8 ways): 20 fewer cycles in the whole run.
. "$(dirname "$0")/lib.sh" "$@"

# label, instructions, time, transitions md5 (first 16 hex digits), then the run's arguments
check() {
    local label=$1 want_insns=$2 want_time=$3 want_md5=$4
    shift 4
    checks=$((checks + 1))
    local got
    got=$("$RINGSIDE" run --report=json "$@" 2>&1 >/dev/null | python3 -c '
import hashlib, json, sys
text = sys.stdin.read()
d = json.loads(text[text.index("{"):])
t = hashlib.md5(json.dumps(d["transitions"], sort_keys=True).encode()).hexdigest()[:16]
print(d["instructions"], d["time"], t)')
    if [ "$got" != "$want_insns $want_time $want_md5" ]; then
        echo "FAIL: $label: got '$got', recorded '$want_insns $want_time $want_md5'"
        failures=$((failures + 1))
    fi
}

G=$GUEST_DIR
# The program's path is its argv[0] on the guest's stack: run it by a fixed relative name.
(
    cd "$G" || exit 1
    check "syscall loop u74" 795287 1633459 28eba7f1ce99cbd0 --cpu=u74 riscv64_syscall_loop.elf 3000
    check "syscall loop rocket" 795287 1080058 36245e8a0cd2bccd --cpu=rocket riscv64_syscall_loop.elf 3000
    [ "$failures" -eq 0 ]
) || failures=$((failures + 1))
checks=$((checks + 2))
check "crc32 table u74" 86283 89636 8a41d7e87dc1e05a --cpu=u74 --kernel "$G/bench_rv64_crc32_table_r1.elf"
check "crc32 table rocket" 86283 104712 8a41d7e87dc1e05a --cpu=rocket --kernel "$G/bench_rv64_crc32_table_r1.elf"
check "crc32 bitwise u74" 282887 201838 73ad2d541c1f296f --cpu=u74 --kernel "$G/bench_rv64_crc32_r1.elf"
check "sbi null call u74" 85387 122019 4a4b2564df5b5325 --cpu=u74 --kernel "$G/bench_rv_sbi_null_sbi.elf"
check "sel4 ipc u74" 80130 164390 593ba113c138c870 --cpu=u74 --kernel "$G/bench_rv_sel4_ipc.elf"
check "sel4 ipc rocket" 80130 115891 fbb787c20f55a8d0 --cpu=rocket --kernel "$G/bench_rv_sel4_ipc.elf"
check "priv roundtrip u74" 9903 17357 1fe9050fdadefa04 --cpu=u74 --kernel "$G/rv64_priv_roundtrip.elf"
check "int80 intel" 7608 378909 b77a4b31c22481f7 --cpu=intel --kernel "$G/bench_x86_int80.elf"
check "int80 amd" 7608 376029 c584e38d947972e3 --cpu=amd --kernel "$G/bench_x86_int80.elf"
check "ring3 int80 intel" 5048 20045 3555358b1dd6e913 --cpu=intel --kernel "$G/i386_ring3_int80.elf"
check "ring3 int80 amd" 5048 20213 6a6453d676ea879b --cpu=amd --kernel "$G/i386_ring3_int80.elf"
check "ring3 int80 64 intel" 6991 27023 46e6ec3d93875975 --cpu=intel --kernel "$G/x86_64_ring3_int80.elf"
check "ring3 int80 64 amd" 6991 27156 cb56bd5be7d574b2 --cpu=amd --kernel "$G/x86_64_ring3_int80.elf"
# The x86 fast system calls (bench/transitions/x86_fastcall.S, x86_int80.S -DVIA_SYSENTER), recorded
# on branch tmx86 when each got its own class and step table.
check "syscall intel" 150011 183131 bf4d41c2ad4be354 --cpu=intel --kernel "$G/bench_x86_syscall.elf"
check "syscall amd" 150011 122212 06f48d326c847057 --cpu=amd --kernel "$G/bench_x86_syscall.elf"
check "syscall iret intel" 155011 425131 6630b01935797064 --cpu=intel --kernel "$G/bench_x86_syscall_iret.elf"
check "syscall iret amd" 155011 397212 64852ecd2da18495 --cpu=amd --kernel "$G/bench_x86_syscall_iret.elf"
check "sysenter 64 intel" 147009 196123 cf713ff518d22f4a --cpu=intel --kernel "$G/bench_x86_sysenter.elf"
check "sysenter 32 intel" 9619 159314 225958db5fa729a6 --cpu=intel --kernel "$G/bench_x86_sysenter32.elf"
check "sysenter 32 amd" 9602 66357 134aae659542f910 --cpu=amd --kernel "$G/bench_x86_sysenter32.elf"
check "multiboot hello intel" 421 2291 9e1cd98fbda7b283 --cpu=intel --kernel "$G/i386_multiboot_hello.elf"

finish
