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

/* System calls: the kernel's result, as is. */
long syscall(long n, ...);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
ssize_t writev(int fd, const struct iovec *iov, int cnt);
long getpid(void);
long getppid(void);
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
