/* The i386 kernel's system call numbers: Linux i386's (x86/sysnum_i386.h), as SYS_*. */
#ifndef KERNEL_I386_SYSNUM_H
#define KERNEL_I386_SYSNUM_H

#include "sysnum_i386.h"

#define SYS_exit            SYS32_exit
#define SYS_read            SYS32_read
#define SYS_write           SYS32_write
#define SYS_getpid          SYS32_getpid
#define SYS_brk             SYS32_brk
#define SYS_ioctl           SYS32_ioctl
#define SYS_getppid         SYS32_getppid
#define SYS_uname           SYS32_uname
#define SYS_writev          SYS32_writev
#define SYS_sched_yield     SYS32_sched_yield
#define SYS_gettid          SYS32_gettid
#define SYS_exit_group      SYS32_exit_group
#define SYS_set_tid_address SYS32_set_tid_address
#define SYS_clock_gettime   SYS32_clock_gettime

#endif
