/* The monitor's parser: words, numbers, the x command's format, and the command table (every
 * command has help, names and aliases are unique, lookup by name, alias and unique prefix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "monitor/monitor.h"

static void words_split_at_blanks(void **state)
{
    (void)state;
    char line[] = "  break\tmode   user->kernel \n";
    char *argv[MON_MAX_ARGS];
    int argc = mon_tokenize(line, argv, MON_MAX_ARGS);
    assert_int_equal(argc, 3);
    assert_string_equal(argv[0], "break");
    assert_string_equal(argv[1], "mode");
    assert_string_equal(argv[2], "user->kernel");

    char empty[] = "   \t ";
    assert_int_equal(mon_tokenize(empty, argv, MON_MAX_ARGS), 0);

    char many[] = "a b c d e";
    assert_int_equal(mon_tokenize(many, argv, 3), 3); /* at most max words */
    assert_string_equal(argv[2], "c");
}

static void numbers_in_four_bases(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(mon_parse_u64("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(mon_parse_u64("0x80000000", &v), 0);
    assert_int_equal(v, 0x80000000u);
    assert_int_equal(mon_parse_u64("0XfF", &v), 0);
    assert_int_equal(v, 255);
    assert_int_equal(mon_parse_u64("0b101", &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(mon_parse_u64("0o17", &v), 0);
    assert_int_equal(v, 15);
    assert_int_equal(mon_parse_u64("0xffffffffffffffff", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(mon_parse_u64("-1", &v), 0); /* two's complement */
    assert_true(v == UINT64_MAX);
}

static void bad_numbers_are_refused(void **state)
{
    (void)state;
    uint64_t v = 7;
    const char *bad[] = {"",    "0x",  "12q", " 1",  "+1",
                         "x10", "0b2", "0o8", "1 2", "0x1ffffffffffffffff",
                         "--1", "main"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(mon_parse_u64(bad[i], &v), -1);
    assert_int_equal(v, 7); /* untouched */
}

static void x_formats_are_count_and_unit(void **state)
{
    (void)state;
    unsigned count, size = 8;
    assert_int_equal(mon_parse_xfmt("/4w", &count, &size), 0);
    assert_int_equal(count, 4);
    assert_int_equal(size, 4);
    assert_int_equal(mon_parse_xfmt("/b", &count, &size), 0);
    assert_int_equal(count, 1);
    assert_int_equal(size, 1);
    assert_int_equal(mon_parse_xfmt("/16", &count, &size), 0); /* keeps the last unit */
    assert_int_equal(count, 16);
    assert_int_equal(size, 1);
    assert_int_equal(mon_parse_xfmt("", &count, &size), 0);
    assert_int_equal(count, 1);
    assert_int_equal(mon_parse_xfmt("/2h", &count, &size), 0);
    assert_int_equal(size, 2);
    assert_int_equal(mon_parse_xfmt("/1g", &count, &size), 0);
    assert_int_equal(size, 8);
    const char *bad[] = {"/4q", "4w", "/0w", "/w4", "/4ww", "/99999w", "/-1w"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(mon_parse_xfmt(bad[i], &count, &size), -1);
}

static void every_command_has_help(void **state)
{
    (void)state;
    size_t n;
    const struct mon_command *t = mon_commands(&n);
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_non_null(t[i].handler);
        assert_non_null(t[i].args);
        assert_non_null(t[i].aliases);
        assert_non_null(t[i].help);
        assert_true(strlen(t[i].help) > 10);
        assert_ptr_equal(mon_find_command(t[i].name), &t[i]);
    }
}

static void names_and_aliases_are_unique(void **state)
{
    (void)state;
    size_t n;
    const struct mon_command *t = mon_commands(&n);
    char all[64][32];
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(all[count++], sizeof all[0], "%s", t[i].name);
        char aliases[128];
        snprintf(aliases, sizeof aliases, "%s", t[i].aliases);
        char *argv[MON_MAX_ARGS];
        int argc = mon_tokenize(aliases, argv, MON_MAX_ARGS);
        for (int a = 0; a < argc; a++) {
            snprintf(all[count++], sizeof all[0], "%s", argv[a]);
            assert_ptr_equal(mon_find_command(argv[a]), &t[i]); /* an alias finds its command */
        }
    }
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++)
            assert_string_not_equal(all[i], all[j]);
}

static void the_commands_of_issue_8_exist(void **state)
{
    (void)state;
    const char *names[] = {"step",  "next", "continue", "until",   "finish", "run", "break",
                           "watch", "info", "delete",   "disable", "regs",   "pt",  "x",
                           "disas", "set",  "source",   "help",    "quit"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_non_null(mon_find_command(names[i]));
}

static void lookup_by_alias_and_unique_prefix(void **state)
{
    (void)state;
    assert_string_equal(mon_find_command("s")->name, "step");
    assert_string_equal(mon_find_command("si")->name, "step");
    assert_string_equal(mon_find_command("c")->name, "continue");
    assert_string_equal(mon_find_command("b")->name, "break");
    assert_string_equal(mon_find_command("contin")->name, "continue"); /* a unique prefix */
    assert_string_equal(mon_find_command("fin")->name, "finish");
    assert_null(mon_find_command("dis")); /* disable, disas: ambiguous */
    assert_null(mon_find_command("frobnicate"));
    assert_null(mon_find_command(""));
}

static void only_the_step_commands_repeat(void **state)
{
    (void)state;
    assert_true(mon_find_command("step")->repeats);
    assert_true(mon_find_command("next")->repeats);
    assert_false(mon_find_command("continue")->repeats);
    assert_false(mon_find_command("set")->repeats);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_split_at_blanks),
        cmocka_unit_test(numbers_in_four_bases),
        cmocka_unit_test(bad_numbers_are_refused),
        cmocka_unit_test(x_formats_are_count_and_unit),
        cmocka_unit_test(every_command_has_help),
        cmocka_unit_test(names_and_aliases_are_unique),
        cmocka_unit_test(the_commands_of_issue_8_exist),
        cmocka_unit_test(lookup_by_alias_and_unique_prefix),
        cmocka_unit_test(only_the_step_commands_repeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
