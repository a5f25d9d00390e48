#!/bin/bash
# The command line: --help, --version, usage errors (exit 2, one line), bad files (exit 2, one line
# that says exactly what is wrong), parts not built yet (exit 3).
. "$(dirname "$0")/lib.sh" "$@"

expect 0 "ringside 0." -- "$RINGSIDE" --version
for opt in --kernel --append --mech --cpu --mem --max-insns --max-cycles --trace --report --timeline \
           --monitor --monitor-script; do
    expect 0 "$opt" -- "$RINGSIDE" --help
done
expect 0 "usage: ringside run" -- "$RINGSIDE" run --help
expect 2 "usage:" -- "$RINGSIDE"
expect 2 "unknown command 'frob'" -- "$RINGSIDE" frob
expect 2 "unknown option '--frob'" -- "$RINGSIDE" --frob

# Usage errors: one line, exit 2.
expect 2 "no program given" -- "$RINGSIDE" run
expect 2 "unknown option '--bogus'" -- "$RINGSIDE" run --bogus prog
expect 2 "unknown option '-Z'" -- "$RINGSIDE" run -Z prog
expect 2 "option '--kernel' needs a value" -- "$RINGSIDE" run --kernel
expect 2 "option '--append' needs a value" -- "$RINGSIDE" run --append
expect 2 "--mem: '12Q' is not a size" -- "$RINGSIDE" run --mem=12Q prog
expect 2 "--mem: 1M is outside" -- "$RINGSIDE" run --mem=1M prog
expect 2 "--mem: 65G is outside" -- "$RINGSIDE" run --mem=65G prog
expect 2 "--max-insns: 'abc' is not a positive number" -- "$RINGSIDE" run --max-insns=abc prog
expect 2 "--max-insns: '0' is not a positive number" -- "$RINGSIDE" run -n 0 prog
expect 2 "--max-cycles: '-5'" -- "$RINGSIDE" run --max-cycles=-5 prog
expect 2 "--mech: unknown mechanism 'smoke'" -- "$RINGSIDE" run --mech=smoke prog
expect 2 "--cpu: unknown profile 'z80'" -- "$RINGSIDE" run --cpu z80 prog
expect 2 "--trace: unknown item 'everything'" -- "$RINGSIDE" run --trace=events,everything prog
expect 2 "--report: unknown format 'xml'" -- "$RINGSIDE" run --report=xml prog
expect 2 "demo takes no arguments" -- "$RINGSIDE" demo now
for args in "run" "run --bogus prog" "run --mem=12Q prog" "run --mech=smoke prog"; do
    # shellcheck disable=SC2086
    expect_stderr_lines 1 -- "$RINGSIDE" $args
done

# Bad files: say exactly what is wrong.
expect 2 "$WORK/missing: No such file or directory" -- "$RINGSIDE" run "$WORK/missing"
printf 'hello, world\n' > "$WORK/text"
expect 2 "not an ELF file" -- "$RINGSIDE" run "$WORK/text"
: > "$WORK/empty"
expect 2 "$WORK/empty:" -- "$RINGSIDE" run "$WORK/empty"
expect 2 "$WORK:" -- "$RINGSIDE" run "$WORK"
# An AArch64 executable: a valid ELF of a machine ringside does not emulate.
cp "$GUEST_DIR/rv64_uart_hello.elf" "$WORK/aarch64.elf"
printf '\xb7\x00' | dd of="$WORK/aarch64.elf" bs=1 seek=18 conv=notrunc status=none
expect 2 "unsupported machine type 183" -- "$RINGSIDE" run "$WORK/aarch64.elf"
expect 2 "unsupported machine type 183" -- "$RINGSIDE" run --kernel "$WORK/aarch64.elf"
expect_stderr_lines 1 -- "$RINGSIDE" run "$WORK/aarch64.elf"
expect 2 "--mech=syscall does not exist on riscv64" -- \
    "$RINGSIDE" run --mech=syscall "$GUEST_DIR/rv64_uart_hello.elf"
expect 2 "--mech=ecall does not exist on i386" -- \
    "$RINGSIDE" run --mech=ecall --kernel "$GUEST_DIR/i386_multiboot_hello.elf"
expect 2 "$WORK/missing: No such file" -- \
    "$RINGSIDE" run --kernel "$GUEST_DIR/rv64_uart_hello.elf" "$WORK/missing"

# Parts that are not built yet say so and exit 3 instead of being ignored.
# The monitor exists (tests/e2e/monitor_*.sh); it needs a program like run does.
expect 2 "$WORK/missing: No such file" -- "$RINGSIDE" run --monitor "$WORK/missing"
expect 2 "$WORK/missing: No such file" -- "$RINGSIDE" monitor "$WORK/missing"
expect 2 "prog: No such file or directory" -- "$RINGSIDE" run --timeline="$WORK/t.json" prog
expect 0 "hello from riscv64" -- "$RINGSIDE" run --cpu=u74 "$GUEST_DIR/riscv64_hello.elf"
expect 2 "--cpu=intel does not apply to riscv64" -- \
    "$RINGSIDE" run --cpu=intel "$GUEST_DIR/riscv64_hello.elf"
expect 2 "--cpu=u74 does not apply to i386" -- \
    "$RINGSIDE" run --cpu=u74 --kernel "$GUEST_DIR/i386_multiboot_hello.elf"
expect 2 "prog: No such file or directory" -- "$RINGSIDE" run --trace=syscalls prog

finish
