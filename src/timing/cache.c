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
    if (!c->tag || !c->stamp) {
        tm_cache_free(c);
        return -1;
    }
    return 0;
}

void tm_cache_free(struct tm_cache *c)
{
    free(c->tag);
    free(c->stamp);
    c->tag = NULL;
    c->stamp = NULL;
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
    c->clock++;
    unsigned victim = 0;
    for (unsigned w = 0; w < c->ways; w++) {
        if (t[w] == tag) {
            s[w] = c->clock;
            c->hits++;
            c->last_tag = tag;
            c->last_idx = (size_t)set * c->ways + w;
            *hint = (uint32_t)c->last_idx + 1;
            return true;
        }
        if (!t[w] || (t[victim] && s[w] < s[victim])) victim = w;
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
    size_t n = (size_t)c->sets * c->ways;
    if (addr == UINT64_MAX && extra == UINT32_MAX) { /* everything: satp/CR3 switches */
        memset(c->tag, 0, n * sizeof *c->tag);
        return;
    }
    uint64_t block = addr >> c->line_shift;
    for (size_t i = 0; i < n; i++) {
        uint64_t t = c->tag[i];
        if (!t) continue;
        if (addr != UINT64_MAX && (t >> 16) != block + 1) continue;
        if (extra != UINT32_MAX && (t & 0xffff) != (extra & 0xffff)) continue;
        c->tag[i] = 0;
    }
}
