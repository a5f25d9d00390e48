#!/bin/bash
# The i386 guest kernel on ringside's core with --cpu=intel: every guest program under every
# mechanism the profile offers, and the transition log (x86_kernels_ringside.inc).
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/x86_kernels_ringside.inc"
CPU=intel
run_i386
finish
