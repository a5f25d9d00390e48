/* The kernel command line `mech=MECH -- PROG ARGS...` (src/kernel/common/cmdline.c), as ringside's
 * build_cmdline() writes it: a backslash before a space, tab, newline, double quote or backslash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static int parse(const char *line, struct boot_args *a, const char **why)
{
    static char buf[CMDLINE_MAX];
    strcpy(buf, line);
    *why = NULL;
    return cmdline_parse(buf, a, why);
}

static void plain_arguments(void **state)
{
    (void)state;
    struct boot_args a;
    const char *why;
    assert_int_equal(parse("mech=ecall -- hello one two", &a, &why), 0);
    assert_string_equal(a.mech, "ecall");
    assert_int_equal(a.argc, 3);
    assert_string_equal(a.argv[0], "hello");
    assert_string_equal(a.argv[1], "one");
    assert_string_equal(a.argv[2], "two");
    assert_null(a.argv[3]);
    assert_false(a.verbose);
    assert_false(a.kfault);
}

static void escaped_characters_belong_to_the_argument(void **state)
{
    (void)state;
    struct boot_args a;
    const char *why;
    assert_int_equal(parse("mech=auto -- p a\\ b c\\\\d e\\\"f g\\\th i\\\nj", &a, &why), 0);
    assert_int_equal(a.argc, 6);
    assert_string_equal(a.argv[1], "a b");
    assert_string_equal(a.argv[2], "c\\d");
    assert_string_equal(a.argv[3], "e\"f");
    assert_string_equal(a.argv[4], "g\th");
    assert_string_equal(a.argv[5], "i\nj");
}

static void other_backslashes_are_ordinary(void **state)
{
    (void)state;
    struct boot_args a;
    const char *why;
    assert_int_equal(parse("mech=auto -- p a\\qb c\\", &a, &why), 0);
    assert_int_equal(a.argc, 3);
    assert_string_equal(a.argv[1], "a\\qb");
    assert_string_equal(a.argv[2], "c\\");
}

static void every_space_starts_an_argument(void **state)
{
    (void)state;
    struct boot_args a;
    const char *why;
    assert_int_equal(parse("mech=auto -- p  x ", &a, &why), 0); /* p, "", x, "" */
    assert_int_equal(a.argc, 4);
    assert_string_equal(a.argv[1], "");
    assert_string_equal(a.argv[2], "x");
    assert_string_equal(a.argv[3], "");
}

static void options_before_the_separator(void **state)
{
    (void)state;
    struct boot_args a;
    const char *why;
    assert_int_equal(parse("  verbose  console=ttyS0 kfault -- p", &a, &why), 0);
    assert_string_equal(a.mech, "auto");
    assert_true(a.verbose);
    assert_true(a.kfault);
    assert_int_equal(a.argc, 1);
    assert_int_equal(parse("mech=auto", &a, &why), 0); /* no program arguments at all */
    assert_int_equal(a.argc, 0);
    assert_int_equal(parse("mech=auto --", &a, &why), 0);
    assert_int_equal(a.argc, 0);
}

static void malformed_lines_are_refused(void **state)
{
    (void)state;
    struct boot_args a;
    const char *why;
    assert_int_equal(parse("mech=auto --\tp", &a, &why), -1);
    assert_non_null(why);
    char line[CMDLINE_MAX] = "mech=auto --";
    for (int i = 0; i <= MAX_ARGS; i++)
        strcat(line, " x");
    assert_int_equal(parse(line, &a, &why), -1);
    assert_string_equal(why, "too many program arguments");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_arguments),
        cmocka_unit_test(escaped_characters_belong_to_the_argument),
        cmocka_unit_test(other_backslashes_are_ordinary),
        cmocka_unit_test(every_space_starts_an_argument),
        cmocka_unit_test(options_before_the_separator),
        cmocka_unit_test(malformed_lines_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
