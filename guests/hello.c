/* hello: prints its arguments, one per line. The first program every kernel runs. */
#include "libc.h"

int main(int argc, char **argv)
{
    printf("hello from " LIBC_ARCH ": argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
}
