/* Linux system call numbers for riscv64: the asm-generic table (include/uapi/asm-generic/unistd.h),
 * which riscv64 uses unchanged. Only the calls the kernel implements are named. */
#ifndef KERNEL_RISCV64_SYSNUM_H
#define KERNEL_RISCV64_SYSNUM_H

#define SYS_ioctl           29
#define SYS_read            63
#define SYS_write           64
#define SYS_writev          66
#define SYS_exit            93
#define SYS_exit_group      94
#define SYS_set_tid_address 96
#define SYS_clock_gettime   113
#define SYS_sched_yield     124
#define SYS_uname           160
#define SYS_getpid          172
#define SYS_getppid         173
#define SYS_gettid          178
#define SYS_brk             214

#endif
