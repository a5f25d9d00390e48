/* The guests' tiny C library: Linux system call stubs that return the raw result (negative errno
 * on failure, no errno variable), string functions and a small printf. Enough for the e2e programs;
 * each architecture supplies start code and syscall_arch.h in libc/<arch>/. */
#ifndef LIBC_H
#define LIBC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__riscv) && __riscv_xlen == 64
#define LIBC_ARCH "riscv64"
#elif defined(__x86_64__)
#define LIBC_ARCH "x86_64"
#elif defined(__i386__)
#define LIBC_ARCH "i386"
#else
#error "unknown architecture"
#endif

typedef long ssize_t;

struct iovec {
    void *iov_base;
    size_t iov_len;
};
struct timespec {
    long tv_sec, tv_nsec;
};

struct utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

/* The initial stack pointer (argc) and the auxiliary vector, as _start found them. */
extern long *__libc_initial_sp;
extern unsigned long *__libc_auxv;
unsigned long getauxval(unsigned long type); /* 0 if absent */
#define AT_PHDR   3
#define AT_PHENT  4
#define AT_PHNUM  5
#define AT_PAGESZ 6
#define AT_ENTRY  9
#define AT_RANDOM 25

/* System calls: the kernel's result, as is. */
long syscall(long n, ...);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
ssize_t writev(int fd, const struct iovec *iov, int cnt);
long getpid(void);
long getppid(void);
long sched_yield(void);
long set_tid_address(int *tidptr);
long uname(struct utsname *u);
long brk(void *addr);
long ioctl(int fd, unsigned long request, void *arg);
long clock_gettime(int clock, struct timespec *ts);
__attribute__((noreturn)) void exit(int status);

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
long atol(const char *s);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *s);

#endif
