/* The system call table, indexed by the Linux system call numbers of the architecture (its
 * sysnum.h), with Linux semantics and negative-errno results, so that guest programs are ordinary
 * static Linux executables. Called by the architecture's trap handler with the number and the six
 * argument registers of its Linux calling convention; every number without an entry, inside or
 * past the table, gives -ENOSYS. Every user pointer goes through copyin/copyout (usercopy.c).
 *
 * A call comes with the size of the caller's long (and pointer): 8 for riscv64 and x86-64
 * programs, 4 for i386 programs, on the i386 kernel and on the x86-64 kernel's int $0x80 path (the
 * compat ABI, whose table is indexed by the i386 numbers: the architecture's sysnum.h defines
 * SYS32_* and ARCH_HAS_COMPAT32). The size decides the layout of struct iovec and struct timespec
 * and where a count turns negative, as Linux's compat layer does (fs/read_write.c, kernel/time). */
#include "kernel.h"
#include "sysnum.h" /* src/kernel/<arch>/sysnum.h */

#ifndef UNAME_MACHINE
#define UNAME_MACHINE ARCH_NAME /* uname's machine field */
#endif
#ifndef USER_LONG_SIZE
#define USER_LONG_SIZE 8 /* the architecture's own programs: riscv64, x86-64 */
#endif

/* v as the caller's signed long */
static int64_t slong(uint64_t v, int lsize)
{
    return lsize == 4 ? (int64_t)(int32_t)v : (int64_t)v;
}

#define CHUNK   256  /* bytes moved between user memory and the console per copy */
#define IOV_MAX 1024 /* Linux UIO_MAXIOV */

/* read(fd, buf, count): fd 0 is the console. The kernel has no interrupts and does not sleep, so
 * read returns what the console has already received, up to a newline, and 0 (end of file) when
 * nothing is waiting. The whole buffer must be writable user memory, as Linux and qemu-user check.
 */
static int64_t sys_read(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    uint64_t fd = a[0], buf = a[1], count = a[2];
    if (fd != 0) return -EBADF;
    if (user_range_ok(p, buf, count, UA_WRITE) < 0) return -EFAULT;
    char k[CHUNK];
    uint64_t n = 0;
    while (n < count && n < CHUNK) {
        int c = arch_console_getc();
        if (c < 0) break;
        k[n++] = (char)c;
        if (c == '\n') break;
    }
    if (copyout(p, buf, k, n) < 0) return -EFAULT;
    return (int64_t)n;
}

/* Writes count bytes at user address buf to the console, CHUNK bytes at a time through copyin. */
static int64_t console_write(struct proc *p, uint64_t buf, uint64_t count)
{
    char k[CHUNK];
    for (uint64_t done = 0; done < count;) {
        uint64_t n = count - done < CHUNK ? count - done : CHUNK;
        if (copyin(p, k, buf + done, n) < 0) return -EFAULT;
        kwrite(k, n);
        done += n;
    }
    return (int64_t)count;
}

/* write(fd, buf, count): fds 1 and 2 are the console. The whole range is checked first, so a bad
 * buffer writes nothing (as qemu-user does; Linux may write a prefix). */
static int64_t sys_write(struct proc *p, const uint64_t a[6], int lsize)
{
    uint64_t fd = a[0], buf = a[1], count = a[2];
    if (fd != 1 && fd != 2) return -EBADF;
    if (slong(count, lsize) < 0) return -EINVAL;
    if (user_range_ok(p, buf, count, UA_READ) < 0) return -EFAULT;
    return console_write(p, buf, count);
}

/* writev(fd, iov, iovcnt): the iovec array is copied into the kernel once, then checked whole.
 * struct iovec is two longs: base and length (8 bytes for a 4-byte long, 16 for an 8-byte one). */
static int64_t sys_writev(struct proc *p, const uint64_t a[6], int lsize)
{
    static struct {
        uint64_t base, len;
    } iov[IOV_MAX];
    static uint32_t iov32[2 * IOV_MAX];
    uint64_t fd = a[0], uiov = a[1], cnt = a[2];
    if (fd != 1 && fd != 2) return -EBADF;
    if (cnt > IOV_MAX) return -EINVAL;
    if (lsize == 4) {
        if (copyin(p, iov32, uiov, cnt * 8) < 0) return -EFAULT;
        for (uint64_t i = 0; i < cnt; i++)
            iov[i].base = iov32[2 * i], iov[i].len = (uint64_t)slong(iov32[2 * i + 1], 4);
    } else if (copyin(p, iov, uiov, cnt * sizeof iov[0]) < 0) {
        return -EFAULT;
    }
    int64_t max = lsize == 4 ? INT32_MAX : INT64_MAX;
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if ((int64_t)iov[i].len < 0 || total + iov[i].len < total ||
            (int64_t)(total + iov[i].len) < 0 || (int64_t)(total + iov[i].len) > max)
            return -EINVAL;
        total += iov[i].len;
        if (user_range_ok(p, iov[i].base, iov[i].len, UA_READ) < 0) return -EFAULT;
    }
    for (uint64_t i = 0; i < cnt; i++)
        if (console_write(p, iov[i].base, iov[i].len) < 0) return -EFAULT;
    return (int64_t)total;
}

static int64_t sys_exit(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    proc_exit(p, (int)a[0]); /* one thread: exit and exit_group end the same way */
}

static int64_t sys_getpid(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    (void)a;
    return p->pid;
}

static int64_t sys_getppid(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    (void)a;
    return p->ppid;
}

/* brk(addr): Linux semantics: returns the new break, or the old one when addr is 0, out of range
 * or the memory cannot be had. Memory between the old and the new break reads as zero. */
static int64_t sys_brk(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    uint64_t want = a[0];
    if (want < p->brk_start || want > p->brk_limit) return (int64_t)p->brk;
    if (want > p->brk_mapped) {
        uint64_t top = PAGE_ROUND_UP(want);
        if (arch_user_map(p, p->brk_mapped, top - p->brk_mapped, PROT_READ | PROT_WRITE) < 0)
            return (int64_t)p->brk;
        p->brk_mapped = top;
    }
    for (uint64_t va = p->brk; va < want;) { /* zero what an earlier, larger break left behind */
        uint8_t *kp = arch_user_ptr(p, va, UA_WRITE);
        uint64_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (n > want - va) n = want - va;
        if (kp) memset(kp, 0, n);
        va += n;
    }
    p->brk = want;
    return (int64_t)want;
}

/* uname(buf): struct utsname, six fields of 65 bytes (include/uapi/linux/utsname.h). The release
 * looks like Linux's so that C libraries that check the kernel version accept it. */
static int64_t sys_uname(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    static const char *const fields[6] = {
        "Linux", "ringside", "6.1.0-ringside", "ringside guest kernel", UNAME_MACHINE, "(none)"};
    char u[6][65];
    memset(u, 0, sizeof u);
    for (int i = 0; i < 6; i++)
        memcpy(u[i], fields[i], strlen(fields[i]));
    return copyout(p, a[0], u, sizeof u);
}

/* clock_gettime(clockid, ts): every clock counts from boot with the platform timer (there is no
 * real-time clock), so CLOCK_REALTIME starts at the epoch when the machine starts. */
static int64_t sys_clock_gettime(struct proc *p, const uint64_t a[6], int lsize)
{
    uint64_t id = a[0];
    if (id != 0 && id != 1 && id != 4 && id != 5 && id != 6 && id != 7) /* REALTIME, MONOTONIC,
                                                  MONOTONIC_RAW, *_COARSE, BOOTTIME */
        return -EINVAL;
    uint64_t ticks = arch_clock_ticks(), hz = arch_clock_hz();
    int64_t ts[2] = {(int64_t)(ticks / hz), (int64_t)((ticks % hz) * 1000000000ull / hz)};
    if (lsize == 4) { /* struct timespec of two 32-bit longs (i386 clock_gettime, not _time64) */
        int32_t ts32[2] = {(int32_t)ts[0], (int32_t)ts[1]};
        return copyout(p, a[1], ts32, sizeof ts32);
    }
    return copyout(p, a[1], ts, sizeof ts);
}

static int64_t sys_sched_yield(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    (void)p, (void)a;
    return 0; /* one process: nothing else to run */
}

static int64_t sys_set_tid_address(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    p->tid_address = a[0];
    return p->pid; /* the thread id of the only thread */
}

/* ioctl: the console is no terminal the kernel knows how to configure. */
static int64_t sys_ioctl(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    (void)p, (void)a;
    return -ENOTTY;
}

#ifdef SYS_mmap
#define MAP_PRIVATE         0x02
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_FIXED_NOREPLACE 0x100000
/* mmap(addr, len, prot, flags, fd, offset), only anonymous private memory at a fixed address that
 * nothing maps yet (MAP_FIXED or MAP_FIXED_NOREPLACE; -EEXIST over existing pages, as
 * MAP_FIXED_NOREPLACE answers), inside [USER_MIN_VA, USER_MMAP_END); -EINVAL for everything else.
 * Enough for a program that places code at a chosen address (x86_64's sysret-noncanonical). */
static int64_t sys_mmap(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    uint64_t addr = a[0], len = PAGE_ROUND_UP(a[1]), flags = a[3];
    if ((flags & (MAP_PRIVATE | MAP_ANONYMOUS)) != (MAP_PRIVATE | MAP_ANONYMOUS) ||
        !(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) || (int64_t)a[4] != -1 || a[5] != 0)
        return -EINVAL;
    if ((addr & (PAGE_SIZE - 1)) || a[1] == 0 || len < a[1] || addr < USER_MIN_VA ||
        addr >= USER_MMAP_END || len > USER_MMAP_END - addr)
        return -EINVAL;
    for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE)
        if (arch_user_ptr(p, va, UA_READ)) return -EEXIST;
    if (arch_user_map(p, addr, len, (int)a[2] | PROT_READ) < 0) return -ENOMEM;
    return (int64_t)addr;
}
#endif

#ifdef SYS_arch_prctl
/* arch_prctl(code, addr): x86-64 only; the architecture does the work (FS base). */
static int64_t sys_arch_prctl(struct proc *p, const uint64_t a[6], int lsize)
{
    (void)lsize;
    return arch_prctl(p, a[0], a[1]);
}
#endif

typedef int64_t (*syscall_fn)(struct proc *p, const uint64_t a[6], int lsize);

static const syscall_fn table[] = {
    [SYS_ioctl] = sys_ioctl,
    [SYS_read] = sys_read,
    [SYS_write] = sys_write,
    [SYS_writev] = sys_writev,
    [SYS_exit] = sys_exit,
    [SYS_exit_group] = sys_exit,
    [SYS_set_tid_address] = sys_set_tid_address,
    [SYS_clock_gettime] = sys_clock_gettime,
    [SYS_sched_yield] = sys_sched_yield,
    [SYS_uname] = sys_uname,
    [SYS_getpid] = sys_getpid,
    [SYS_getppid] = sys_getppid,
    [SYS_gettid] = sys_getpid,
    [SYS_brk] = sys_brk,
#ifdef SYS_arch_prctl
    [SYS_arch_prctl] = sys_arch_prctl,
#endif
#ifdef SYS_mmap
    [SYS_mmap] = sys_mmap,
#endif
};

/* For entry code that checks the number before calling (i386 int $0x80, as Linux's entry does). */
const unsigned syscall_table_entries = sizeof table / sizeof table[0];

/* Arguments of a 4-byte-long caller are 32-bit register values: the upper halves mean nothing. */
static int64_t call(const syscall_fn *tab, uint64_t size, struct proc *p, uint64_t nr,
                    const uint64_t a[6], int lsize)
{
    if (nr >= size || !tab[nr]) return -ENOSYS;
    if (lsize != 4) return tab[nr](p, a, lsize);
    uint64_t a32[6];
    for (int i = 0; i < 6; i++)
        a32[i] = (uint32_t)a[i];
    return tab[nr](p, a32, lsize);
}

int64_t syscall_dispatch(struct proc *p, uint64_t nr, const uint64_t a[6])
{
    return call(table, sizeof table / sizeof table[0], p, nr, a, USER_LONG_SIZE);
}

int64_t syscall_dispatch_abi(struct proc *p, uint64_t nr, const uint64_t a[6], int long_size)
{
    return call(table, sizeof table / sizeof table[0], p, nr, a, long_size);
}

#ifdef ARCH_HAS_COMPAT32
/* The i386 ABI on a 64-bit kernel (the x86-64 kernel's int $0x80 path), by the i386 numbers. */
static const syscall_fn table32[] = {
    [SYS32_ioctl] = sys_ioctl,
    [SYS32_read] = sys_read,
    [SYS32_write] = sys_write,
    [SYS32_writev] = sys_writev,
    [SYS32_exit] = sys_exit,
    [SYS32_exit_group] = sys_exit,
    [SYS32_set_tid_address] = sys_set_tid_address,
    [SYS32_clock_gettime] = sys_clock_gettime,
    [SYS32_sched_yield] = sys_sched_yield,
    [SYS32_uname] = sys_uname,
    [SYS32_getpid] = sys_getpid,
    [SYS32_getppid] = sys_getppid,
    [SYS32_gettid] = sys_getpid,
    [SYS32_brk] = sys_brk,
};

int64_t syscall_dispatch_compat32(struct proc *p, uint64_t nr, const uint64_t a[6])
{
    return call(table32, sizeof table32 / sizeof table32[0], p, (uint32_t)nr, a, 4);
}
#endif
