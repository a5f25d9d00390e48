# Helpers for the monitor's end-to-end tests (sourced after lib.sh; not a test itself, which is
# why it does not end in .sh).
#
# session NAME [ringside arguments...] <<'CMDS'   runs a monitor session with the commands on
#   standard input (not a terminal: no readline, each command echoed after the prompt) and keeps
#   the transcript in $WORK/NAME.out, stdout and stderr together.
# has 'text'       the last transcript contains text (a fixed string)
# lacks 'text'     it does not
# has_line 'regex' some line of the transcript matches the extended regular expression
session() {
    local name=$1
    shift
    OUT="$WORK/$name.out"
    "$RINGSIDE" "$@" > "$OUT" 2>&1
    STATUS=$?
}

has() {
    checks=$((checks + 1))
    if ! grep -qF -- "$1" "$OUT"; then
        echo "FAIL: $(basename "$OUT"): lacks '$1'"
        failures=$((failures + 1))
        SHOW_OUT=1
    fi
}

lacks() {
    checks=$((checks + 1))
    if grep -qF -- "$1" "$OUT"; then
        echo "FAIL: $(basename "$OUT"): has '$1'"
        failures=$((failures + 1))
        SHOW_OUT=1
    fi
}

has_line() {
    checks=$((checks + 1))
    if ! grep -qE -- "$1" "$OUT"; then
        echo "FAIL: $(basename "$OUT"): no line matches '$1'"
        failures=$((failures + 1))
        SHOW_OUT=1
    fi
}

status_is() {
    checks=$((checks + 1))
    if [ "$STATUS" -ne "$1" ]; then
        echo "FAIL: $(basename "$OUT"): exit $STATUS, expected $1"
        failures=$((failures + 1))
        SHOW_OUT=1
    fi
}

# Prints the transcript once after failures, for the ctest log.
show_failed() {
    if [ -n "${SHOW_OUT:-}" ]; then
        echo "--- $OUT"
        sed 's/^/    /' "$OUT" | head -200
    fi
    SHOW_OUT=
}
