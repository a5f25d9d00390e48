/* The monitor's pure parts: words, numbers, x/ formats, breakpoint specifications and matching.
 * Nothing here touches the machine, so the unit tests drive it directly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"

int mon_tokenize(char *line, char **argv, int max)
{
    int argc = 0;
    char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            *p++ = '\0';
        if (!*p) break;
        if (argc == max) break;
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
    }
    return argc;
}

int mon_parse_u64(const char *text, uint64_t *value)
{
    bool negative = false;
    if (*text == '-') {
        negative = true;
        text++;
    }
    int base = 10;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        base = 16, text += 2;
    else if (text[0] == '0' && (text[1] == 'b' || text[1] == 'B'))
        base = 2, text += 2;
    else if (text[0] == '0' && (text[1] == 'o' || text[1] == 'O'))
        base = 8, text += 2;
    /* strtoull accepts blanks and signs of its own: refuse them, the digits must start here */
    bool digit = (*text >= '0' && *text <= '9') ||
                 (base == 16 && ((*text >= 'a' && *text <= 'f') || (*text >= 'A' && *text <= 'F')));
    if (!digit) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, base);
    if (errno || *end) return -1;
    *value = negative ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    return 0;
}

int mon_parse_xfmt(const char *suffix, unsigned *count, unsigned *size)
{
    unsigned n = 1, sz = *size ? *size : 8;
    const char *p = suffix;
    if (*p == '\0') {
        *count = n;
        *size = sz;
        return 0;
    }
    if (*p++ != '/') return -1;
    if (*p >= '0' && *p <= '9') {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (v == 0 || v > 4096) return -1;
        n = (unsigned)v;
        p = end;
    }
    switch (*p) {
    case 'b': sz = 1, p++; break;
    case 'h': sz = 2, p++; break;
    case 'w': sz = 4, p++; break;
    case 'g': sz = 8, p++; break;
    case '\0': break;
    default: return -1;
    }
    if (*p) return -1;
    *count = n;
    *size = sz;
    return 0;
}

/* The transition breakpoints by mechanism name: the EV_PRIV mechanisms of events.h. */
static const struct {
    const char *name;
    uint8_t mech;
} mech_words[] = {
    {"syscall", EV_MECH_SYSCALL}, {"sysret", EV_MECH_SYSRET}, {"sysenter", EV_MECH_SYSENTER},
    {"sysexit", EV_MECH_SYSEXIT}, {"iret", EV_MECH_IRET},     {"ecall", EV_MECH_ECALL},
    {"sret", EV_MECH_SRET},       {"mret", EV_MECH_MRET},
};

static int set_err(char *err, size_t errlen, const char *msg, const char *word)
{
    snprintf(err, errlen, msg, word);
    return -1;
}

static void join_words(char *buf, size_t len, int argc, char **argv)
{
    buf[0] = '\0';
    for (int i = 0; i < argc; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "", argv[i]);
}

int mon_bp_parse(int argc, char **argv, mon_resolve_fn resolve, void *opaque, struct mon_bp *bp,
                 char *err, size_t errlen)
{
    memset(bp, 0, sizeof *bp);
    bp->enabled = true;
    bp->vector = -1;
    if (argc < 1)
        return set_err(err, errlen, "%s",
                       "break: what? (an address, a symbol or a transition: help break)");
    join_words(bp->what, sizeof bp->what, argc, argv);
    const char *w = argv[0];
    for (size_t i = 0; i < sizeof mech_words / sizeof mech_words[0]; i++) {
        if (strcmp(w, mech_words[i].name) == 0) {
            if (argc != 1) return set_err(err, errlen, "break %s takes no argument", w);
            bp->kind = MON_BP_MECH;
            bp->mech = mech_words[i].mech;
            return 0;
        }
    }
    if (strcmp(w, "int") == 0 || strcmp(w, "exception") == 0 || strcmp(w, "interrupt") == 0) {
        bp->kind = MON_BP_VECTOR;
        bp->interrupt = strcmp(w, "interrupt") == 0;
        uint64_t v;
        if (argc > 2) return set_err(err, errlen, "break %s: one number at most", w);
        if (argc == 2) {
            if (mon_parse_u64(argv[1], &v) < 0 || v > 255)
                return set_err(err, errlen, "break: '%s' is not a vector or cause number", argv[1]);
            bp->vector = (int)v;
        } else if (strcmp(w, "int") == 0) {
            return set_err(err, errlen, "%s", "break int: which vector? (break int 0x80)");
        }
        return 0;
    }
    if (strcmp(w, "mode") == 0) {
        bp->kind = MON_BP_MODE;
        if (argc != 2)
            return set_err(err, errlen, "%s", "break mode: user->kernel, kernel->user or any");
        if (strcmp(argv[1], "user->kernel") == 0)
            bp->dir = MON_TO_KERNEL;
        else if (strcmp(argv[1], "kernel->user") == 0)
            bp->dir = MON_TO_USER;
        else if (strcmp(argv[1], "any") == 0)
            bp->dir = MON_TO_KERNEL | MON_TO_USER;
        else
            return set_err(err, errlen, "break mode: '%s' is not user->kernel, kernel->user or any",
                           argv[1]);
        return 0;
    }
    if (argc != 1) return set_err(err, errlen, "break: '%s' is not a transition (help break)", w);
    if (*w == '*') w++;
    bp->kind = MON_BP_ADDR;
    if (resolve(opaque, w, &bp->addr) < 0)
        return set_err(err, errlen, "break: '%s' is not an address, a symbol or a transition", w);
    return 0;
}

int mon_watch_parse(int argc, char **argv, mon_resolve_fn resolve, void *opaque, struct mon_bp *bp,
                    char *err, size_t errlen)
{
    memset(bp, 0, sizeof *bp);
    bp->enabled = true;
    bp->vector = -1;
    bp->kind = MON_BP_WATCH;
    bp->len = 1;
    bp->access = MON_WATCH_WRITE;
    if (argc < 1 || argc > 3) return set_err(err, errlen, "%s", "watch ADDR [LEN] [r|w|rw]");
    join_words(bp->what, sizeof bp->what, argc, argv);
    if (resolve(opaque, argv[0], &bp->addr) < 0)
        return set_err(err, errlen, "watch: '%s' is not an address or a symbol", argv[0]);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "r") == 0)
            bp->access = MON_WATCH_READ;
        else if (strcmp(argv[i], "w") == 0)
            bp->access = MON_WATCH_WRITE;
        else if (strcmp(argv[i], "rw") == 0)
            bp->access = MON_WATCH_READ | MON_WATCH_WRITE;
        else if (i == 1 && mon_parse_u64(argv[i], &bp->len) == 0 && bp->len > 0 && bp->len <= 4096)
            continue;
        else
            return set_err(err, errlen, "watch: '%s' is not a length (1..4096) or r, w, rw",
                           argv[i]);
    }
    return 0;
}

bool mon_bp_hits_event(const struct mon_bp *bp, const struct ev *e, unsigned user_priv)
{
    if (!bp->enabled) return false;
    switch (bp->kind) {
    case MON_BP_MECH: return e->kind == EV_PRIV && e->priv.mech == bp->mech;
    case MON_BP_VECTOR:
        return e->kind == EV_EXCEPTION && e->exception.interrupt == bp->interrupt &&
               (bp->vector < 0 || (uint32_t)bp->vector == e->exception.vector);
    case MON_BP_MODE:
        if (e->kind != EV_PRIV) return false;
        if ((bp->dir & MON_TO_KERNEL) && e->priv.from == user_priv && e->priv.to != user_priv)
            return true;
        return (bp->dir & MON_TO_USER) && e->priv.to == user_priv && e->priv.from != user_priv;
    case MON_BP_WATCH: {
        if (e->kind != EV_MEM || e->mem.type == EV_MEM_FETCH) return false;
        unsigned acc = e->mem.type == EV_MEM_WRITE ? MON_WATCH_WRITE : MON_WATCH_READ;
        if (!(bp->access & acc)) return false;
        /* the access [vaddr, vaddr + size) overlaps [addr, addr + len) */
        return e->mem.vaddr < bp->addr + bp->len && bp->addr < e->mem.vaddr + e->mem.size;
    }
    case MON_BP_ADDR: return false;
    }
    return false;
}

bool mon_bp_hits_pc(const struct mon_bp *bp, uint64_t pc)
{
    return bp->enabled && bp->kind == MON_BP_ADDR && bp->addr == pc;
}
