/* Kernel messages on the architecture's console: a small vsnprintf (%d %i %u %x %p %s %c %% with
 * the l/ll/z length modifiers, a field width and 0 padding) and panic(). */
#include "kernel.h"

void kwrite(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        arch_console_putc(s[i]);
}

void kputs(const char *s)
{
    kwrite(s, strlen(s));
}

struct out {
    char *buf;
    size_t size, len; /* len counts every byte, also those that did not fit */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size) o->buf[o->len] = c;
    o->len++;
}

static void put_number(struct out *o, uint64_t v, unsigned base, bool negative, int width, char pad)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    int total = n + (negative ? 1 : 0);
    if (negative && pad == '0') put(o, '-');
    for (; total < width; total++)
        put(o, pad);
    if (negative && pad != '0') put(o, '-');
    while (n)
        put(o, digits[--n]);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
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
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_number(&o, v, *fmt == 'u' ? 10 : 16, false, width, pad);
            break;
        }
        case 'p':
            put(&o, '0'), put(&o, 'x');
            put_number(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, width, pad);
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

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kwrite(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* A state the kernel cannot go on from: say what it is and stop the machine with 125. */
void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("kernel panic: %s\n", buf);
    arch_shutdown(EXIT_KERNEL_FAULT);
}
