/* Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h): system calls return them
 * negated, as the Linux calling convention does, so guest programs are valid Linux programs. */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define EPERM        1
#define ENOENT       2
#define ENOEXEC      8
#define EBADF        9
#define ENOMEM       12
#define EFAULT       14
#define EINVAL       22
#define ENOTTY       25
#define ENOSYS       38
#define ENAMETOOLONG 36
#define E2BIG        7
#define EEXIST       17

#endif
