#!/bin/sh
# Installs the Debian packages ringside needs to build and test. Idempotent: when everything is
# present it only asks dpkg and returns. Uses apt-get as root, or through sudo; otherwise it prints
# the exact command to run and stops.
set -eu

# Build: cmake, pkg-config, a host C compiler; guest images: clang, lld, llvm (objcopy);
# libraries: libelf (loader), libfdt (device tree), capstone (x86 disassembly), readline (monitor),
# cmocka (unit tests); oracles: qemu-system-misc (riscv64), qemu-system-x86, qemu-user;
# python3-jsonschema (tests/e2e/timeline.sh checks --timeline against a JSON Schema).
PACKAGES="make cmake pkg-config gcc libc6-dev clang lld llvm libelf-dev libfdt-dev libcapstone-dev
libreadline-dev libcmocka-dev device-tree-compiler qemu-system-misc qemu-system-x86 qemu-user
python3-jsonschema"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "ringside: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "ringside: cannot install packages without root; run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
