/* Physical memory protection (priv. spec 3.7): which physical accesses a privilege may make.
 *
 * 3.7.1: entries are prioritised statically, lowest number first; the first entry that matches any
 * byte of an access decides it, and must match all of its bytes or the access fails (3.7.1.3).
 * M-mode accesses succeed unless the deciding entry is locked (L) and lacks the permission;
 * S/U accesses need the entry's R, W or X; an S/U access that no entry matches fails (this hart
 * implements all 64 entries), an M access succeeds. Address matching: OFF, TOR (pmpaddr[i-1] <=
 * a < pmpaddr[i]), NA4, NAPOT (3.7.1.1, table 3.9); granularity 4 bytes (G = 0).
 *
 * Where this hart's PMP applies (mem.c): loads, stores, AMOs and instruction fetches, at the
 * effective privilege (MPRV for loads and stores). Not checked: the page-table walk's implicit
 * PTE reads and A/D writes (3.7.2 says they are checked as S-mode accesses; the Sv39 walk in
 * src/mmu reads RAM directly).
 *
 * Speed: rv_pmp_update() recomputes h->pmp_open after every pmpcfg/pmpaddr write and at reset:
 * bit p is set when no access at privilege p can fail (for S and U: the first active entry
 * covers all 2^56 bytes with R, W and X; for M: additionally, no active entry is locked), and the
 * access paths skip the check then. */
#include "cpu/riscv/internal.h"

enum { PMP_R = 1, PMP_W = 2, PMP_X = 4, PMP_L = 0x80 };
enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };
#define PMP_SPACE (1ull << 56) /* physical addresses are 56 bits (pmpaddr holds bits 55:2) */

/* The byte range [*lo, *hi) of entry i; false when it is off or empty. */
static bool entry_range(const struct rv_hart *h, unsigned i, uint64_t *lo, uint64_t *hi)
{
    uint8_t cfg = h->csr.pmpcfg[i];
    uint64_t a = h->csr.pmpaddr[i];
    switch ((cfg >> 3) & 3) {
    case PMP_TOR:
        *lo = i ? h->csr.pmpaddr[i - 1] << 2 : 0;
        *hi = a << 2;
        return *lo < *hi;
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 4;
        return true;
    case PMP_NAPOT: {
        /* yyyy...y0111: t trailing ones give a region of 2^(t + 3) bytes */
        unsigned t = (unsigned)__builtin_ctzll(~a);
        *lo = (a & ~((2ull << t) - 1)) << 2;
        *hi = *lo + (1ull << (t + 3));
        return true;
    }
    default: return false;
    }
}

static unsigned needed(unsigned acc)
{
    static const uint8_t perm[3] = {PMP_X, PMP_R, PMP_W}; /* fetch, load, store */
    return perm[acc];
}

bool rv_pmp_allows(const struct rv_hart *h, uint64_t paddr, unsigned size, unsigned acc,
                   unsigned priv)
{
    uint64_t end = paddr + size;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t lo, hi;
        if (!entry_range(h, i, &lo, &hi) || end <= lo || paddr >= hi) continue;
        if (paddr < lo || end > hi) return false; /* matches some bytes only (3.7.1.3) */
        uint8_t cfg = h->csr.pmpcfg[i];
        if (priv == RV_PRIV_M && !(cfg & PMP_L)) return true;
        return (cfg & needed(acc)) != 0;
    }
    return priv == RV_PRIV_M;
}

void rv_pmp_update(struct rv_hart *h)
{
    bool locked = false, first_seen = false, first_all = false;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t lo, hi;
        uint8_t cfg = h->csr.pmpcfg[i];
        if (((cfg >> 3) & 3) == PMP_OFF) continue;
        if (cfg & PMP_L) locked = true;
        if (!first_seen) {
            first_seen = true;
            /* an empty TOR entry matches nothing: it does not decide anything */
            if (!entry_range(h, i, &lo, &hi)) {
                first_seen = false;
                continue;
            }
            first_all = lo == 0 && hi >= PMP_SPACE && (cfg & 7) == (PMP_R | PMP_W | PMP_X);
        }
    }
    uint8_t open = 0;
    if (first_all) open |= (1u << RV_PRIV_U) | (1u << RV_PRIV_S) | (1u << RV_PRIV_M);
    if (!locked) open |= 1u << RV_PRIV_M;
    h->pmp_open = open;
}
