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
    if (!c->tag || !c->stamp || !c->valid) {
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
    c->tag = NULL;
    c->stamp = NULL;
    c->valid = NULL;
    c->sets = 0;
}

static inline uint64_t make_tag(uint64_t block, uint32_t extra)
{
    return ((block + 1) << 16) | (extra & 0xffff);
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
    unsigned valid = c->valid[set];
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

void tm_cache_flush(struct tm_cache *c, uint64_t addr, uint32_t extra)
{
    if (!c->sets) return;
    if (addr == UINT64_MAX && extra == UINT32_MAX) { /* everything: satp/CR3 switches */
        memset(c->tag, 0, (size_t)c->sets * c->ways * sizeof *c->tag);
        memset(c->valid, 0, c->sets * sizeof *c->valid);
        return;
    }
    uint64_t block = addr >> c->line_shift;
    for (uint32_t set = 0; set < c->sets; set++) {
        uint64_t *t = &c->tag[(size_t)set * c->ways];
        uint64_t *s = &c->stamp[(size_t)set * c->ways];
        unsigned w = 0;
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
