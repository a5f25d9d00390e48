#!/bin/bash
# bench/transitions: runs each transition microbenchmark under each timing profile that fits its
# architecture and prints the modeled cycles beside the published figure
# (shared/reference/timing.md) and their ratio.
#   usage: bench/transitions/run.sh [BUILD_DIR]      (default: build)
# "guest" is what the benchmark measured itself with rdcycle/rdtsc (guest time = the model's
# cycles); "model" is the median entry + kernel + exit of the same crossings from --report=json.
set -eu
BUILD=${1:-build}
RINGSIDE=$BUILD/ringside
G=$BUILD/guest
[ -x "$RINGSIDE" ] || { echo "no $RINGSIDE (build first)" >&2; exit 2; }

# name | image | profiles | unit printed by the guest | published low | high | reference
rows=(
"S->M ecall, empty M handler, mret|bench_rv_sbi_null_empty|u74 rocket|cycles per call|308|451|T-Head C907 SBI null call (SyterKit PR 200: RustSBI 308-344, OpenSBI 444-483)"
"S->M ecall, RustSBI-shaped handler, mret|bench_rv_sbi_null_sbi|u74 rocket|cycles per call|308|344|T-Head C907, RustSBI null call (SyterKit PR 200)"
"U->S ecall, satp switch + sfence, sret (one way)|bench_rv_sel4_ipc|u74 rocket|cycles per one-way IPC|663|865|SiFive U540 seL4 IPC Call/ReplyRecv one way (sel4.systems)"
"i386 int \$0x80 / iret round trip, empty handler|bench_x86_int80|intel amd|cycles per round trip|-|-|none published (timing.md has no int \$0x80 round trip)"
"i386 sysenter / sysexit round trip, empty handler|bench_x86_sysenter32|intel amd|cycles per round trip|-|-|none published (the same loop as int \$0x80 above)"
"x86-64 syscall/sysretq null call, 149 insns|bench_x86_syscall|intel amd|cycles per round trip|160|160|L4Re null syscall, Ice Lake-SP (intel: calibrated on it)"
"x86-64 syscall/sysretq null call, 149 insns|bench_x86_syscall|intel amd|cycles per round trip|188|188|L4Re null syscall, Intel N100 (validation)"
"x86-64 syscall/sysretq null call, 149 insns|bench_x86_syscall|intel amd|cycles per round trip|280|280|-ENOSYS syscall on Linux, Zen 4 of the dev machine (amd: validation)"
"x86-64 the same path returning by iretq|bench_x86_syscall_iret|intel amd|cycles per round trip|-|-|compared with sysretq below"
"x86-64 sysenter/sysexitq, the same path|bench_x86_sysenter|intel amd|cycles per round trip|-|-|compared with sysretq below (AMD: #UD in long mode)"
)

declare -A GUEST EXIT
printf '%-50s %-6s %7s %7s  %-11s %6s  %s\n' benchmark cpu guest model published ratio reference
for row in "${rows[@]}"; do
    IFS='|' read -r name image profiles unit lo hi ref <<<"$row"
    for cpu in $profiles; do
        out=$("$RINGSIDE" run --cpu="$cpu" --report=json --kernel "$G/$image.elf" 2>&1) || true
        guest=$(printf '%s\n' "$out" | sed -n "s/^$unit: \([0-9]*\)$/\1/p")
        model_exit=$(printf '%s\n' "$out" | grep '^{"arch"' | python3 -c '
import json, sys
r = json.load(sys.stdin)["transitions"]["mechanisms"]
r = [m for m in r if m["return"]]
print(max(r, key=lambda m: m["count"])["exit"]["cycles"]["median"] if r else "-")')
        [ -n "$guest" ] || guest="-"
        GUEST[$image:$cpu]=$guest
        EXIT[$image:$cpu]=$model_exit
        model=$(printf '%s\n' "$out" | grep '^{"arch"' | python3 -c '
import json, sys
r = json.load(sys.stdin)["transitions"]["mechanisms"]
r = [m for m in r if m["return"]]
if not r:
    print("-")
else:
    g = max(r, key=lambda m: m["count"])
    print(sum(g[p]["cycles"]["median"] for p in ("entry", "kernel", "exit")))')
        if [ "$lo" = "-" ] || [ "$guest" = "-" ]; then
            pub="-"; ratio="-"
            [ "$lo" = "-" ] || pub="$lo-$hi"
        else
            pub="$lo-$hi"
            [ "$lo" = "$hi" ] && pub="$lo"
            ratio=$(python3 -c "lo,hi,v=$lo,$hi,$guest; print('%.2f' % (v/lo if v<lo else v/hi if v>hi else 1.0))")
        fi
        printf '%-50s %-6s %7s %7s  %-11s %6s  %s\n' "$name" "$cpu" "$guest" "$model" "$pub" \
            "$ratio" "$ref"
    done
done

# Differences of two rows above, against a published difference.
diff_row() { # name, cpu, modeled, published, reference
    local ratio=-
    [ "$3" = "-" ] || ratio=$(python3 -c "print('%.2f' % ($3 / $4))")
    printf '%-50s %-6s %7s %7s  %-11s %6s  %s\n' "$1" "$2" "$3" - "$4" "$ratio" "$5"
}
sub() { [ "$1" = "-" ] || [ "$2" = "-" ] && echo - || echo $(($1 - $2)); }
for cpu in intel amd; do
    diff_row "return by iretq minus by sysretq (round trips)" $cpu \
        "$(sub "${GUEST[bench_x86_syscall_iret:$cpu]}" "${GUEST[bench_x86_syscall:$cpu]}")" 240 \
        "Linux 2a23c6b8a9c4: +80 ns, 240 cycles at an assumed 3 GHz (intel: calibrated on it)"
done
for cpu in intel amd; do
    diff_row "exit: sysexitq minus sysretq (report medians)" $cpu \
        "$(sub "${EXIT[bench_x86_sysenter:$cpu]:--}" "${EXIT[bench_x86_syscall:$cpu]:--}")" 30 \
        "Linux 4214a16b0297: SYSEXIT ~30 cycles slower than SYSRETL (intel: calibrated on it)"
done
echo
echo "ratio: modeled / the nearest end of the published range (1.00 = inside it)."
echo "model: median cycles of one crossing (entry + kernel + exit) as --report counts them; the"
echo "SBI rows cross S->M, which is not a user/kernel transition, so it prints the guest figure only."
