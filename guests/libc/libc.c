/* The guests' tiny C library (libc.h). */
#include "libc.h"
#include "syscall_arch.h"

int main(int argc, char **argv, char **envp);
__attribute__((noreturn)) void __libc_start(long *sp);

/* Called by _start with the initial stack pointer (Linux ABI: argc, argv[], NULL, envp[], NULL). */
void __libc_start(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    char **e = envp;
    while (*e)
        e++;
    __libc_initial_sp = sp;
    __libc_auxv = (unsigned long *)(e + 1);
#ifdef LIBC_ARCH_INIT
    LIBC_ARCH_INIT(); /* syscall_arch.h: what the architecture learns from the auxiliary vector */
#endif
    exit(main(argc, argv, envp));
}

long *__libc_initial_sp;
unsigned long *__libc_auxv;
#ifdef LIBC_ARCH_INIT
unsigned long __libc_sysinfo;
#endif

unsigned long getauxval(unsigned long type)
{
    for (unsigned long *a = __libc_auxv; a && a[0]; a += 2)
        if (a[0] == type) return a[1];
    return 0;
}

long syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
    va_end(ap);
    return __syscall6(n, a, b, c, d, e, f);
}

ssize_t read(int fd, void *buf, size_t n)
{
    return __syscall6(SYS_read, fd, (long)buf, (long)n, 0, 0, 0);
}
ssize_t write(int fd, const void *buf, size_t n)
{
    return __syscall6(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
}
ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    return __syscall6(SYS_writev, fd, (long)iov, cnt, 0, 0, 0);
}
long getpid(void)
{
    return __syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
}
long sched_yield(void)
{
    return __syscall6(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}
long set_tid_address(int *p)
{
    return __syscall6(SYS_set_tid_address, (long)p, 0, 0, 0, 0, 0);
}
long uname(struct utsname *u)
{
    return __syscall6(SYS_uname, (long)u, 0, 0, 0, 0, 0);
}
long getppid(void)
{
    return __syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0);
}
long brk(void *addr)
{
    return __syscall6(SYS_brk, (long)addr, 0, 0, 0, 0, 0);
}
long ioctl(int fd, unsigned long request, void *arg)
{
    return __syscall6(SYS_ioctl, fd, (long)request, (long)arg, 0, 0, 0);
}
long clock_gettime(int clock, struct timespec *ts)
{
    return __syscall6(SYS_clock_gettime, clock, (long)ts, 0, 0, 0, 0);
}
void exit(int status)
{
    for (;;)
        __syscall6(SYS_exit_group, status, 0, 0, 0, 0, 0);
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

long atol(const char *s)
{
    long v = 0, sign = 1;
    if (*s == '-') sign = -1, s++;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return sign * v;
}

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size) o->buf[o->len] = c;
    o->len++;
}

static void put_number(struct out *o, unsigned long v, unsigned base, int negative, int width,
                       char pad)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    int total = n + negative;
    if (negative && pad == '0') put(o, '-');
    for (; total < width; total++)
        put(o, pad);
    if (negative && pad != '0') put(o, '-');
    while (n)
        put(o, digits[--n]);
}

/* %d %i %u %x %p %s %c %%, the l and z length modifiers, a field width, 0 padding. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z')
            longs++, fmt++;
        switch (*fmt) {
        case 'd':
        case 'i': {
            long v = longs ? va_arg(ap, long) : va_arg(ap, int);
            put_number(&o, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long v = longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_number(&o, v, *fmt == 'u' ? 10 : 16, 0, width, pad);
            break;
        }
        case 'p':
            put(&o, '0'), put(&o, 'x');
            put_number(&o, (unsigned long)va_arg(ap, void *), 16, 0, width, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            for (int n = (int)strlen(s); n < width; n++)
                put(&o, ' ');
            while (*s)
                put(&o, *s++);
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case '%': put(&o, '%'); break;
        case '\0': fmt--; break;
        default: put(&o, '%'), put(&o, *fmt); break;
        }
    }
    if (size) buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* One write system call per printf (up to 1 KiB of output). */
int printf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
    return (int)write(1, buf, (size_t)n);
}

int puts(const char *s)
{
    struct iovec iov[2] = {{(void *)s, strlen(s)}, {"\n", 1}};
    return (int)writev(1, iov, 2);
}
