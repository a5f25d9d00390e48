#!/bin/bash
# Stepping runs exactly the code path of a plain run: the guest's output, its exit status, the
# instruction count, guest time, the event counts and the final registers are the same whether
# the program runs plainly, under the monitor with continue, one step at a time (every
# instruction its own slice of the run loop), or in run N slices.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/monitor_lib.bash"

compare() { # compare WHAT FILE1 FILE2
    checks=$((checks + 1))
    if ! cmp -s "$2" "$3"; then
        echo "FAIL: $1 differs:"
        diff "$2" "$3" | head -20 | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

for prog in riscv64_hello riscv64_syscalls; do
    PROG="$GUEST_DIR/$prog.elf"
    "$RINGSIDE" run --report=text "$PROG" > "$WORK/$prog.plain" 2> "$WORK/$prog.report"
    plain_status=$?
    # the plain run's counters, in the monitor's info stats format
    sed -n 's/^  instructions \([0-9]*\), guest time \([0-9]*\) ticks$/\1 \2/p' \
        "$WORK/$prog.report" > "$WORK/$prog.plain.counts"
    grep -E '^  [a-z-]+ +[0-9]+$' "$WORK/$prog.report" >> "$WORK/$prog.plain.counts"

    for mode in continue step run; do
        case $mode in
        continue) cmds="continue" ;;
        step) cmds="step 100000000" ;;
        run) cmds=$(for _ in $(seq 400); do echo "run 997"; done; echo continue) ;;
        esac
        printf '%s\nregs\ninfo stats\n' "$cmds" > "$WORK/$prog.$mode.cmds"
        "$RINGSIDE" run --monitor-script="$WORK/$prog.$mode.cmds" "$PROG" \
            > "$WORK/$prog.$mode.out" 2>&1
        status=$?
        checks=$((checks + 1))
        [ "$status" -eq "$plain_status" ] ||
            { echo "FAIL: $prog $mode: exit $status, plain run $plain_status"; failures=$((failures + 1)); }
        # the guest's own output: every line that is not the monitor's
        grep -vE '^(\(ringside\)|=>|ringside|the guest exited|  |pc |zero|tp |s0 |a2 |a6 |s4 |s8 |t3 |riscv64, )' \
            "$WORK/$prog.$mode.out" > "$WORK/$prog.$mode.guest"
        # (run N prints where it stopped in the middle of the guest's lines: counters only)
        [ $mode = run ] ||
            compare "$prog $mode: guest output" "$WORK/$prog.plain" "$WORK/$prog.$mode.guest"
        sed -n 's/^riscv64, \([0-9]*\) instructions, guest time \([0-9]*\) ticks, .*$/\1 \2/p' \
            "$WORK/$prog.$mode.out" > "$WORK/$prog.$mode.counts"
        grep -E '^  [a-z-]+ +[0-9]+$' "$WORK/$prog.$mode.out" >> "$WORK/$prog.$mode.counts"
        compare "$prog $mode: counters" "$WORK/$prog.plain.counts" "$WORK/$prog.$mode.counts"
        sed -n '/^(ringside) regs$/,/^(ringside) info stats$/p' "$WORK/$prog.$mode.out" \
            > "$WORK/$prog.$mode.regs"
    done
    compare "$prog: registers after step" "$WORK/$prog.continue.regs" "$WORK/$prog.step.regs"
    compare "$prog: registers after run N" "$WORK/$prog.continue.regs" "$WORK/$prog.run.regs"
    checks=$((checks + 1))
    [ "$(wc -l < "$WORK/$prog.continue.regs")" -gt 8 ] ||
        { echo "FAIL: $prog: no registers printed"; failures=$((failures + 1)); }
done
finish
