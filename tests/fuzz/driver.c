/* A libFuzzer-compatible driver for ctest (fuzz.h): runs the target on each file named on the
 * command line, or with `--random N SEED MAXLEN` on N pseudo-random inputs of up to MAXLEN bytes
 * (xorshift64*, so a failing input can be regenerated), or with `--mutate N SEED FILE` on N
 * mutations of FILE (bytes overwritten, inserted and removed). Exits non-zero if an input cannot
 * be read; a crash ends the process, which is the failure ctest reports. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger) free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *size = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "--random")) {
        unsigned long n = strtoul(argv[2], NULL, 0), maxlen = strtoul(argv[4], NULL, 0);
        uint64_t s = strtoull(argv[3], NULL, 0) | 1;
        uint8_t *buf = malloc(maxlen ? maxlen : 1);
        if (!buf) return 2;
        for (unsigned long i = 0; i < n; i++) {
            size_t len = maxlen ? (size_t)(next(&s) % maxlen) + 1 : 0;
            for (size_t k = 0; k < len; k++)
                buf[k] = (uint8_t)next(&s);
            LLVMFuzzerTestOneInput(buf, len);
        }
        free(buf);
        printf("%lu random inputs\n", n);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "--mutate")) {
        unsigned long n = strtoul(argv[2], NULL, 0);
        uint64_t s = strtoull(argv[3], NULL, 0) | 1;
        size_t size;
        uint8_t *orig = read_file(argv[4], &size);
        if (!orig) {
            fprintf(stderr, "%s: cannot read\n", argv[4]);
            return 2;
        }
        uint8_t *buf = malloc(size + 64);
        if (!buf) return 2;
        for (unsigned long i = 0; i < n; i++) {
            size_t len = size;
            memcpy(buf, orig, size);
            unsigned edits = 1 + (unsigned)(next(&s) % 8);
            for (unsigned e = 0; e < edits && len; e++) {
                size_t at = (size_t)(next(&s) % len);
                switch (next(&s) % 4) {
                case 0: /* remove the tail: a truncated file */ len = at; break;
                case 1: /* a small value where a field might be */
                    buf[at] = (uint8_t)(next(&s) % 8);
                    break;
                default: buf[at] = (uint8_t)next(&s); break;
                }
            }
            LLVMFuzzerTestOneInput(buf, len);
        }
        free(buf);
        free(orig);
        printf("%lu mutations of %s\n", n, argv[4]);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        size_t size;
        uint8_t *buf = read_file(argv[i], &size);
        if (!buf) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            return 2;
        }
        LLVMFuzzerTestOneInput(buf, size);
        free(buf);
    }
    printf("%d inputs\n", argc - 1);
    return 0;
}
