#!/bin/bash
# Emulated MIPS of the RISC-V core against QEMU TCG, in the same run on the same machine.
#
#   bench/riscv_mips.sh [BUILD_DIR [RUNS]]      (or: cmake --build build --target bench-riscv-mips)
#
# Images (bench/riscv64/crc32.S, built by bench/CMakeLists.txt): bench_rv64_crc32 (bitwise CRC-32,
# ALU and branches) and bench_rv64_crc32_table (table-driven, two loads in ten instructions);
# IMAGES="name ..." picks others of the same family.
#
# ringside: `ringside run --kernel IMAGE`, instructions from --report=json (retired instructions,
# with event counting on as in every run), time of the whole process (start-up included, a few
# ms). Median of RUNS runs. Both wall time and CPU time (user + system) are printed: on a shared,
# loaded machine the CPU time is the steadier of the two.
#
# QEMU (qemu-system-riscv64 -machine virt -bios none, when installed): it runs the same code so
# fast that its start-up (tens of ms) is a large part of a 500-million-instruction run, so it runs
# the _x10 image (ten times the rounds) and its MIPS is (I(x10) - I(r1)) / (t(x10) - t(r1)), the
# one-round image taking away the start-up. The instruction counts of _x10 and _r1 follow exactly
# from ringside's counts of the default and the one-round image (the count is linear in ROUNDS).
# Both emulators must print the same CRC. Median of RUNS runs each.
set -euo pipefail
BUILD=${1:-build}
RUNS=${2:-5}
RINGSIDE=$BUILD/ringside
IMAGES=${IMAGES:-"bench_rv64_crc32 bench_rv64_crc32_table"}
G=$BUILD/guest

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# times COLUMN RUNS command...: the median over RUNS runs of the wall time (COLUMN 1) or the CPU
# time, user + system (COLUMN 2), in seconds
TIMEFILE=$(mktemp)
trap 'rm -f "$TIMEFILE"' EXIT
times() {
    local col=$1 runs=$2
    shift 2
    for _ in $(seq "$runs"); do
        /usr/bin/time -o "$TIMEFILE" -f '%e %U %S' "$@" >/dev/null 2>&1 || true
        awk -v c="$col" '{print (c == 1) ? $1 : $2 + $3}' "$TIMEFILE"
    done | median
}
insns_of() {
    "$RINGSIDE" run --report=json --kernel "$1" 2>&1 >/dev/null |
        sed -n 's/.*"instructions": \([0-9]*\).*/\1/p'
}
rounds_of() { # the ROUNDS an image was built with, from its name and crc32.S's defaults
    case $1 in
    *_r1) echo 1 ;;
    *_table_x10) echo 120000 ;;
    *_x10) echo 20000 ;;
    *_table) echo 12000 ;;
    *) echo 2000 ;;
    esac
}

QEMU=(timeout 300 qemu-system-riscv64 -machine virt -bios none -nographic -monitor none -kernel)
have_qemu=false
command -v qemu-system-riscv64 >/dev/null && have_qemu=true
$have_qemu || echo "qemu-system-riscv64 not installed: ringside only"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg); median of $RUNS runs"

for name in $IMAGES; do
    for f in "$RINGSIDE" "$G/$name.elf" "$G/${name}_r1.elf" "$G/${name}_x10.elf"; do
        [ -e "$f" ] || { echo "missing $f: cmake --build $BUILD" >&2; exit 2; }
    done
    n=$(rounds_of "$name")
    i_n=$(insns_of "$G/$name.elf")
    i_1=$(insns_of "$G/${name}_r1.elf")
    per_round=$(((i_n - i_1) / (n - 1)))
    i_x10=$((i_1 + per_round * (10 * n - 1)))
    out=$("$RINGSIDE" run --kernel "$G/$name.elf" 2>/dev/null)
    echo "$name: $out, $i_n instructions ($per_round per round)"

    rs_t=$(times 1 "$RUNS" "$RINGSIDE" run --kernel "$G/$name.elf")
    rs_c=$(times 2 "$RUNS" "$RINGSIDE" run --kernel "$G/$name.elf")
    rs_mips=$(echo "$i_n / $rs_t / 1000000" | bc -l)
    rs_cmips=$(echo "$i_n / $rs_c / 1000000" | bc -l)
    printf '  ringside: %8.3f s wall %8.1f MIPS | %8.3f s CPU %8.1f MIPS\n' \
        "$rs_t" "$rs_mips" "$rs_c" "$rs_cmips"
    $have_qemu || continue

    q_out=$("${QEMU[@]}" "$G/$name.elf" 2>/dev/null || true)
    [ "$q_out" = "$out" ] || echo "  WARNING: QEMU printed '$q_out', ringside '$out'"
    q_t=$(times 1 "$RUNS" "${QEMU[@]}" "$G/${name}_x10.elf")
    q_t1=$(times 1 "$RUNS" "${QEMU[@]}" "$G/${name}_r1.elf")
    q_c=$(times 2 "$RUNS" "${QEMU[@]}" "$G/${name}_x10.elf")
    q_c1=$(times 2 "$RUNS" "${QEMU[@]}" "$G/${name}_r1.elf")
    q_mips=$(echo "($i_x10 - $i_1) / ($q_t - $q_t1) / 1000000" | bc -l)
    q_cmips=$(echo "($i_x10 - $i_1) / ($q_c - $q_c1) / 1000000" | bc -l)
    printf '  qemu:     %8.3f s wall %8.1f MIPS | %8.3f s CPU %8.1f MIPS  (x10: %d instructions)\n' \
        "$q_t" "$q_mips" "$q_c" "$q_cmips" "$i_x10"
    printf '  ratio ringside/qemu: %.3f wall, %.3f CPU\n' "$(echo "$rs_mips / $q_mips" | bc -l)" \
        "$(echo "$rs_cmips / $q_cmips" | bc -l)"
done
