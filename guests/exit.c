/* exit: ends with exit(42); the run's exit status is 42. */
#include "libc.h"

int main(void)
{
    printf("exit: calling exit(42)\n");
    exit(42);
}
