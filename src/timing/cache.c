/* Modeled caches and TLBs: set-associative, LRU, tags only (no data: the functional core owns the
 * data, and the functional software TLB in src/mmu is a different thing). A TLB is a cache of 4 KiB
 * pages whose tags carry the address-space identifier. */
#include <stdlib.h>
#include <string.h>

#include "timing/timing.h"

static unsigned log2u(uint32_t v)
{
    unsigned s = 0;
    while ((1u << s) < v)
        s++;
    return s;
}

/* size: bytes (caches) or entries (TLBs, line = 4096 means one page per entry: pass size in
 * entries * line). */
int tm_cache_init(struct tm_cache *c, uint32_t size, uint32_t ways, uint32_t line)
{
    memset(c, 0, sizeof *c);
    if (!size || !ways || !line) return 0; /* not modeled: every access hits */
    uint32_t blocks = size / line;
    if (ways > blocks) ways = blocks;
    c->ways = ways;
    c->sets = blocks / ways;
    c->line_shift = log2u(line);
    c->tag = calloc((size_t)c->sets * ways, sizeof *c->tag);
    c->stamp = calloc((size_t)c->sets * ways, sizeof *c->stamp);
    c->valid = calloc(c->sets, sizeof *c->valid);
    c->set_gen = calloc(c->sets, sizeof *c->set_gen);
    if (!c->tag || !c->stamp || !c->valid || !c->set_gen) {
        tm_cache_free(c);
        return -1;
    }
    return 0;
}

void tm_cache_free(struct tm_cache *c)
{
    free(c->tag);
    free(c->stamp);
    free(c->valid);
    free(c->set_gen);
    c->tag = NULL;
    c->stamp = NULL;
    c->valid = NULL;
    c->set_gen = NULL;
    c->sets = 0;
}

static inline uint64_t make_tag(uint64_t block, uint32_t extra)
{
    return ((block + 1) << 16) | (extra & 0xffff);
}

/* The valid ways of a set: none when the set was last touched before the latest flush of
 * everything (its tags are stale; nothing reads a way at or beyond valid). */
static inline unsigned set_valid(struct tm_cache *c, uint32_t set)
{
    if (c->set_gen[set] != c->gen) {
        c->set_gen[set] = c->gen;
        c->valid[set] = 0;
    }
    return c->valid[set];
}

bool tm_cache_access(struct tm_cache *c, uint64_t addr, uint32_t extra)
{
    if (!c->sets) return true;
    uint64_t block = addr >> c->line_shift;
    uint64_t tag = make_tag(block, extra);
    /* The block of the last access, still there (a flush or an eviction clears its tag): the
     * common case of straight-line fetch and of a page's accesses, without the set scan. */
    if (tag == c->last_tag && c->tag[c->last_idx] == tag) {
        c->stamp[c->last_idx] = ++c->clock;
        c->hits++;
        return true;
    }
    /* A small direct-mapped hint of where a block was last found: a hit without the scan of a
     * wide set (the 40-way fully associative TLBs). */
    uint32_t *hint = &c->hint[block % TM_CACHE_HINTS];
    if (*hint && c->tag[*hint - 1] == tag) {
        c->stamp[*hint - 1] = ++c->clock;
        c->hits++;
        c->last_tag = tag;
        c->last_idx = *hint - 1;
        return true;
    }
    uint32_t set = (uint32_t)(block % c->sets);
    uint64_t *t = &c->tag[(size_t)set * c->ways];
    uint64_t *s = &c->stamp[(size_t)set * c->ways];
    unsigned valid = set_valid(c, set);
    c->clock++;
    /* A set keeps its valid blocks in its first ways (see tm_cache_flush), so a lookup scans
     * only those: after a TLB flush, a handful instead of 40. */
    for (unsigned w = 0; w < valid; w++) {
        if (t[w] == tag) {
            s[w] = c->clock;
            c->hits++;
            c->last_tag = tag;
            c->last_idx = (size_t)set * c->ways + w;
            *hint = (uint32_t)c->last_idx + 1;
            return true;
        }
    }
    /* A free way if there is one (which one changes nothing: only the set's contents and their
     * order of use are ever observed), else the least recently used block. */
    unsigned victim = 0;
    if (valid < c->ways) {
        victim = valid;
        c->valid[set] = (uint16_t)(valid + 1);
    } else {
        for (unsigned w = 1; w < c->ways; w++)
            if (s[w] < s[victim]) victim = w;
    }
    c->misses++;
    t[victim] = tag;
    s[victim] = c->clock;
    c->last_tag = tag;
    c->last_idx = (size_t)set * c->ways + victim;
    *hint = (uint32_t)c->last_idx + 1;
    return false;
}

/* 32 bytes at a time: GCC makes a memset of this size rep stos, whose start-up took most of a
 * flush's time (a satp write flushes three TLBs) */
static void clear_hints(struct tm_cache *c)
{
    _Static_assert(TM_CACHE_HINTS % 8 == 0, "hints are cleared 32 bytes at a time");
    for (unsigned i = 0; i < TM_CACHE_HINTS; i += 8) {
        const uint64_t zero[4] = {0};
        memcpy(&c->hint[i], zero, sizeof zero);
    }
}

void tm_cache_flush(struct tm_cache *c, uint64_t addr, uint32_t extra)
{
    if (!c->sets) return;
    if (addr == UINT64_MAX && extra == UINT32_MAX) { /* everything: satp/CR3 switches */
        /* a new generation empties every set; the fast paths (timing.h) find a block by its tag
         * at the last access's slot or a hint's: neither may point at a stale tag */
        if (++c->gen == 0) { /* generations wrapped: no set may look current by accident */
            memset(c->set_gen, 0, c->sets * sizeof *c->set_gen);
            memset(c->valid, 0, c->sets * sizeof *c->valid);
        }
        c->last_tag = 0;
        clear_hints(c);
        return;
    }
    uint64_t block = addr >> c->line_shift;
    for (uint32_t set = 0; set < c->sets; set++) {
        uint64_t *t = &c->tag[(size_t)set * c->ways];
        uint64_t *s = &c->stamp[(size_t)set * c->ways];
        unsigned w = 0;
        set_valid(c, set);
        while (w < c->valid[set]) {
            if ((addr != UINT64_MAX && (t[w] >> 16) != block + 1) ||
                (extra != UINT32_MAX && (t[w] & 0xffff) != (extra & 0xffff))) {
                w++;
                continue;
            }
            /* keep the valid blocks first: the set's last one moves into the hole */
            unsigned last = --c->valid[set];
            t[w] = t[last];
            s[w] = s[last];
            t[last] = 0;
        }
    }
}
