/* The guest kernel's common part: what every architecture's kernel shares (design.md "The guest
 * kernel"). Architecture-independent C; each architecture folder provides arch.h (its constants and
 * struct arch_proc) and the arch_* functions declared here. The kernel runs one process; its state
 * is the global proc0, since there is exactly one hart and one process. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h" /* src/kernel/<arch>/arch.h */
#include "errno.h"

#define PAGE_ROUND_DOWN(a) ((uint64_t)(a) & ~(uint64_t)(PAGE_SIZE - 1))
#define PAGE_ROUND_UP(a)   (((uint64_t)(a) + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1))

/* Exit statuses the kernel hands to the platform's exit device (README "Exit status"):
 * the program's own status, 128 + signal when the kernel kills it, and these two. */
#define EXIT_KERNEL_FAULT 125 /* a trap in the kernel, a panic, a bad boot hand-off */
#define EXIT_CANNOT_EXEC  126 /* no program, a bad command line, an ELF file the kernel refuses */

#define SIGILL  4
#define SIGTRAP 5
#define SIGBUS  7
#define SIGSEGV 11

#define MAX_ARGS    64
#define CMDLINE_MAX 4096

struct proc {
    int pid, ppid;
    const char *name;     /* argv[0], for messages */
    uint64_t entry;       /* ELF entry point */
    uint64_t sp;          /* initial user stack pointer */
    uint64_t brk_start;   /* end of the program's bss, page aligned: the heap starts here */
    uint64_t brk;         /* current program break (Linux brk semantics) */
    uint64_t brk_mapped;  /* heap pages are mapped up to here */
    uint64_t brk_limit;   /* the heap may not grow past this */
    uint64_t tid_address; /* set_tid_address: remembered, never written (no threads) */
    struct arch_proc arch;
};
extern struct proc proc0;

/* What the kernel command line says (cmdline.c): `mech=MECH [verbose] [kfault] -- PROG ARGS...` */
struct boot_args {
    const char *mech; /* "auto" unless given */
    bool verbose;     /* print the boot summary */
    bool kfault;      /* fault on purpose in the kernel (tests the kernel-fault report) */
    int argc;
    char *argv[MAX_ARGS + 1];
};
/* Splits buf (modified in place) into options and arguments. Returns 0, or -1 with *why set. */
int cmdline_parse(char *buf, struct boot_args *out, const char **why);

/* ---- provided by the architecture (src/kernel/<arch>/) ---- */
void arch_console_putc(char c);
int arch_console_getc(void);     /* a byte the console has received, or -1 if none is waiting */
uint64_t arch_clock_ticks(void); /* a monotonic counter since boot ... */
uint64_t arch_clock_hz(void);    /* ... ticking this many times a second */
__attribute__((noreturn)) void arch_shutdown(int status); /* stop the machine with this status */

/* How a user page may be accessed by the kernel on the program's behalf. */
enum user_access {
    UA_READ,  /* copyin: the page must be a readable user page */
    UA_WRITE, /* copyout: the page must be a writable user page */
    UA_LOAD   /* exec loading segments into fresh pages: any user page */
};
/* The kernel pointer for user address va in p's address space if the page allows the access, or
 * NULL (not mapped, not a user page, or the permission is missing). Valid up to the page's end. */
uint8_t *arch_user_ptr(struct proc *p, uint64_t va, enum user_access access);
/* Maps fresh zeroed pages over [va, va + len) (page aligned) with prot (PROT_*); pages already
 * mapped keep their contents and gain prot. Returns 0 or -ENOMEM. */
int arch_user_map(struct proc *p, uint64_t va, uint64_t len, int prot);
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4

/* ---- console and messages (console.c) ---- */
void kputs(const char *s);
void kwrite(const char *s, size_t n);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- freestanding string functions (string.c); the compiler may also call memcpy/memset ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* ---- user memory (usercopy.c): every user pointer is checked page by page ---- */
/* 0 if every byte of [uva, uva + n) may be accessed so, else -EFAULT. */
int user_range_ok(struct proc *p, uint64_t uva, uint64_t n, enum user_access access);
int copyin(struct proc *p, void *dst, uint64_t uva, uint64_t n);        /* 0 or -EFAULT */
int copyout(struct proc *p, uint64_t uva, const void *src, uint64_t n); /* 0 or -EFAULT */
/* Copies a NUL-terminated string of at most max bytes (with the NUL): its length, -EFAULT, or
 * -ENAMETOOLONG. */
int64_t copyinstr(struct proc *p, char *dst, uint64_t uva, uint64_t max);

/* ---- processes (proc.c, exec.c, syscall.c) ---- */
/* What exec loads programs for: the architecture's constants (arch.h, memlayout.h) unless an
 * architecture or a test says otherwise. */
struct exec_abi {
    int elf_class;     /* 1 (ELFCLASS32: 4-byte stack words) or 2 (ELFCLASS64: 8-byte words) */
    unsigned machine;  /* e_machine */
    const char *arch;  /* for messages */
    uint64_t user_min; /* segments must lie in [user_min, load_end) ... */
    uint64_t load_end;
    uint64_t stack_top, stack_size; /* ... and the stack below stack_top */
    uint64_t sysinfo;               /* AT_SYSINFO (the vsyscall entry, x86), 0 = not given */
};
/* The architecture's default (sysinfo 0). */
void exec_default_abi(struct exec_abi *abi);
/* Loads the ELF executable image[0..size) into p's (empty) address space and builds the Linux
 * initial stack with argv. Returns 0, or a negative errno with *why saying what is wrong. */
int exec_image(struct proc *p, const uint8_t *image, uint64_t size, int argc, char *const argv[],
               const char **why);
int exec_image_abi(const struct exec_abi *abi, struct proc *p, const uint8_t *image, uint64_t size,
                   int argc, char *const argv[], const char **why);
/* The Linux system call nr with arguments a[0..5] in the architecture's own ABI (sysnum.h); the
 * result or a negative errno. */
int64_t syscall_dispatch(struct proc *p, uint64_t nr, const uint64_t a[6]);
/* The size of the architecture's table: numbers at or above it have no entry. */
extern const unsigned syscall_table_entries;
/* The same numbers for a caller whose long is long_size (4 or 8) bytes (tests). */
int64_t syscall_dispatch_abi(struct proc *p, uint64_t nr, const uint64_t a[6], int long_size);
#ifdef ARCH_HAS_COMPAT32
/* The i386 numbers and layouts on a 64-bit kernel (x86-64: int $0x80 from user code). */
int64_t syscall_dispatch_compat32(struct proc *p, uint64_t nr, const uint64_t a[6]);
#endif
/* Ends the process because of a fault: prints "killed: pid N: <why>" and stops the machine with
 * status 128 + sig, as a shell reports a process killed by a signal. */
__attribute__((noreturn, format(printf, 3, 4))) void proc_kill(struct proc *p, int sig,
                                                               const char *fmt, ...);
__attribute__((noreturn)) void proc_exit(struct proc *p, int status);

#endif
