/* Linux i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl): the i386 kernel's own
 * numbers and the x86-64 kernel's int $0x80 compat table. Only the calls the kernel implements. */
#ifndef KERNEL_X86_SYSNUM_I386_H
#define KERNEL_X86_SYSNUM_I386_H

#define SYS32_exit            1
#define SYS32_read            3
#define SYS32_write           4
#define SYS32_getpid          20
#define SYS32_brk             45
#define SYS32_ioctl           54
#define SYS32_getppid         64
#define SYS32_uname           122
#define SYS32_writev          146
#define SYS32_sched_yield     158
#define SYS32_gettid          224
#define SYS32_exit_group      252
#define SYS32_set_tid_address 258
#define SYS32_clock_gettime   265

#endif
