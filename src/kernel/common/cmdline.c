/* The kernel command line ringside (and the QEMU tests) pass: `mech=MECH -- PROG ARGS...`.
 * Options come before `--`, separated by blanks. After `--` every space starts a new argument
 * (ringside writes one space before each, so an empty argument is two spaces in a row), and a
 * backslash before a space, tab, newline, double quote or backslash makes that character part of
 * the argument; any other backslash is an ordinary character (the encoder never writes one).
 * Options besides mech, for tests and debugging: `verbose` (print the boot summary) and `kfault`
 * (make the kernel fault on purpose, to check the kernel-fault report). Called once by the
 * architecture's kmain(), on its own copy of the line. */
#include "kernel.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static bool escapable(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\\';
}

int cmdline_parse(char *buf, struct boot_args *out, const char **why)
{
    out->mech = "auto";
    out->verbose = out->kfault = false;
    out->argc = 0;
    char *p = buf;
    for (;;) { /* options */
        while (is_blank(*p))
            p++;
        if (!*p) return 0; /* no `--`: no program arguments */
        char *word = p;
        while (*p && !is_blank(*p))
            p++;
        char *end = p;
        if (end - word == 2 && word[0] == '-' && word[1] == '-') break;
        if (*p) p++;
        *end = '\0';
        if (strncmp(word, "mech=", 5) == 0)
            out->mech = word + 5;
        else if (strcmp(word, "verbose") == 0)
            out->verbose = true;
        else if (strcmp(word, "kfault") == 0)
            out->kfault = true;
        /* other words (for example options a boot loader adds) are ignored, as Linux does */
    }
    /* p points just after `--`: each space starts an argument */
    char *dst = p;
    while (*p == ' ') {
        p++;
        if (out->argc == MAX_ARGS) {
            *why = "too many program arguments";
            return -1;
        }
        out->argv[out->argc++] = dst;
        while (*p && *p != ' ') {
            if (*p == '\\' && escapable(p[1])) p++;
            *dst++ = *p++;
        }
        *dst++ = '\0'; /* dst never passes p: each argument shrinks or keeps its length */
    }
    if (*p) {
        *why = "`--` must be followed by a space and the program's arguments";
        return -1;
    }
    out->argv[out->argc] = NULL;
    return 0;
}
