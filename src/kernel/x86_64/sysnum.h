/* Linux x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl), and the i386 numbers
 * of the int $0x80 compat table (x86/sysnum_i386.h). Only the calls the kernel implements. */
#ifndef KERNEL_X86_64_SYSNUM_H
#define KERNEL_X86_64_SYSNUM_H

#include "sysnum_i386.h"

#define SYS_read            0
#define SYS_write           1
#define SYS_mmap            9
#define SYS_brk             12
#define SYS_ioctl           16
#define SYS_writev          20
#define SYS_sched_yield     24
#define SYS_getpid          39
#define SYS_exit            60
#define SYS_uname           63
#define SYS_getppid         110
#define SYS_arch_prctl      158
#define SYS_gettid          186
#define SYS_set_tid_address 218
#define SYS_clock_gettime   228
#define SYS_exit_group      231

#endif
