/* The timing model's set-associative caches and TLBs (cache.c): LRU replacement within a set,
 * the fast paths (the last access's block, the hints), and flushes: of everything (a new
 * generation, with no tag written), of one block, of one address space. Each case asserts hits
 * and misses access by access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "timing/timing.h"

#define LINE 64

/* 2 sets of 2 ways of 64-byte lines: block b lives in set b % 2 */
static void two_by_two(struct tm_cache *c)
{
    assert_int_equal(tm_cache_init(c, 4 * LINE, 2, LINE), 0);
    assert_int_equal(c->sets, 2);
}

static uint64_t blk(unsigned b)
{
    return (uint64_t)b * LINE;
}

/* Set 0 holds blocks 0 and 2; a use of 0 makes 2 the least recently used, which 4 replaces. */
static void test_lru_within_a_set(void **state)
{
    (void)state;
    struct tm_cache c;
    two_by_two(&c);
    assert_false(tm_cache_access(&c, blk(0), 0));
    assert_false(tm_cache_access(&c, blk(2), 0));
    assert_false(tm_cache_access(&c, blk(1), 0)); /* the other set: no effect on set 0 */
    assert_true(tm_cache_access_fast(&c, blk(0), 0));
    assert_false(tm_cache_access(&c, blk(4), 0)); /* evicts 2 */
    assert_true(tm_cache_access(&c, blk(0), 0));
    assert_false(tm_cache_access(&c, blk(2), 0)); /* evicts 4 (0 was used after it) */
    assert_true(tm_cache_access(&c, blk(1), 0));
    assert_int_equal(c.hits, 3);
    assert_int_equal(c.misses, 5);
    tm_cache_free(&c);
}

/* A flush of everything: the block of the last access, blocks found through a hint and blocks
 * found by the set scan all miss afterwards, and are filled again from the first way. */
static void test_flush_everything(void **state)
{
    (void)state;
    struct tm_cache c;
    two_by_two(&c);
    for (unsigned b = 0; b < 4; b++)
        assert_false(tm_cache_access(&c, blk(b), 0));
    assert_true(tm_cache_access_fast(&c, blk(3), 0)); /* the last access's block */
    assert_true(tm_cache_access_fast(&c, blk(0), 0)); /* a hint */
    tm_cache_flush(&c, UINT64_MAX, UINT32_MAX);
    assert_false(tm_cache_access_fast(&c, blk(0), 0));
    assert_false(tm_cache_access_fast(&c, blk(3), 0));
    assert_false(tm_cache_access(&c, blk(2), 0));
    assert_true(tm_cache_access(&c, blk(0), 0));
    assert_true(tm_cache_access_fast(&c, blk(2), 0));
    /* set 0 is full again (0, 2): 4 replaces the less recently used, 0 */
    assert_false(tm_cache_access(&c, blk(4), 0));
    assert_false(tm_cache_access(&c, blk(0), 0));
    assert_true(tm_cache_access(&c, blk(4), 0));
    assert_false(tm_cache_access(&c, blk(1), 0)); /* never refilled since the flush */
    tm_cache_free(&c);
}

/* A flush of one block or one address space after a flush of everything sees only what was
 * filled since. */
static void test_partial_flush_after_flushing_everything(void **state)
{
    (void)state;
    struct tm_cache c;
    two_by_two(&c);
    assert_false(tm_cache_access(&c, blk(0), 1));
    assert_false(tm_cache_access(&c, blk(2), 1));
    tm_cache_flush(&c, UINT64_MAX, UINT32_MAX);
    assert_false(tm_cache_access(&c, blk(0), 2));
    assert_false(tm_cache_access(&c, blk(2), 1));
    tm_cache_flush(&c, UINT64_MAX, 1); /* address space 1: block 2 only */
    assert_true(tm_cache_access(&c, blk(0), 2));
    assert_false(tm_cache_access(&c, blk(2), 1));
    tm_cache_flush(&c, blk(0), UINT32_MAX); /* block 0 in every address space */
    assert_false(tm_cache_access(&c, blk(0), 2));
    assert_true(tm_cache_access(&c, blk(2), 1));
    tm_cache_free(&c);
}

/* When the generation count wraps, every set is emptied for real: a set last touched 2^32
 * flushes ago does not come back. */
static void test_flush_generations_wrap(void **state)
{
    (void)state;
    struct tm_cache c;
    two_by_two(&c);
    assert_false(tm_cache_access(&c, blk(0), 0)); /* set 0 at generation 0 */
    c.gen = UINT32_MAX - 1;
    tm_cache_flush(&c, UINT64_MAX, UINT32_MAX);   /* UINT32_MAX */
    assert_false(tm_cache_access(&c, blk(1), 0)); /* set 1 at UINT32_MAX */
    tm_cache_flush(&c, UINT64_MAX, UINT32_MAX);   /* wraps to 0 */
    assert_int_equal(c.gen, 0);
    assert_false(tm_cache_access(&c, blk(0), 0));
    assert_false(tm_cache_access(&c, blk(1), 0));
    assert_true(tm_cache_access(&c, blk(0), 0));
    assert_true(tm_cache_access(&c, blk(1), 0));
    tm_cache_free(&c);
}

/* A TLB (one 4 KiB page per entry, fully associative): the tag carries the address space. */
static void test_tlb_address_spaces(void **state)
{
    (void)state;
    struct tm_cache c;
    assert_int_equal(tm_cache_init(&c, 4 * 4096, 4, 4096), 0);
    assert_int_equal(c.sets, 1);
    assert_false(tm_cache_access(&c, 0x5000, 1));
    assert_false(tm_cache_access(&c, 0x5000, 2));
    assert_true(tm_cache_access(&c, 0x5fff, 1));
    tm_cache_flush(&c, UINT64_MAX, 2);
    assert_true(tm_cache_access(&c, 0x5000, 1));
    assert_false(tm_cache_access(&c, 0x5000, 2));
    tm_cache_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lru_within_a_set),
        cmocka_unit_test(test_flush_everything),
        cmocka_unit_test(test_partial_flush_after_flushing_everything),
        cmocka_unit_test(test_flush_generations_wrap),
        cmocka_unit_test(test_tlb_address_spaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
