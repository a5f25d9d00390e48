# Helpers for the end-to-end scripts: run a command, then check its exit status and output.
# Usage in a script:  . "$(dirname "$0")/lib.sh" "$@"
RINGSIDE=$1
GUEST_DIR=$2
WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK"
failures=0
checks=0

# expect STATUS 'substring of stdout+stderr' -- command...
expect() {
    local want=$1 pattern=$2
    shift 3
    local out status
    out=$("$@" 2>&1)
    status=$?
    checks=$((checks + 1))
    if [ "$status" -ne "$want" ]; then
        echo "FAIL: $*: exit $status, expected $want"; echo "$out" | sed 's/^/    /'
        failures=$((failures + 1))
    elif [ -n "$pattern" ] && ! printf '%s' "$out" | grep -qF -- "$pattern"; then
        echo "FAIL: $*: output lacks '$pattern'"; echo "$out" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

# expect_lines N -- command...: the command prints exactly N lines on stderr (one-line errors)
expect_stderr_lines() {
    local want=$1
    shift 2
    local lines
    lines=$("$@" 2>&1 >/dev/null | wc -l)
    checks=$((checks + 1))
    if [ "$lines" -ne "$want" ]; then
        echo "FAIL: $*: $lines lines on stderr, expected $want"
        failures=$((failures + 1))
    fi
}

finish() {
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
