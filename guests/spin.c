/* spin: never exits and never enters the kernel again, for instruction and cycle budgets
 * (ringside --max-insns) and for timeouts. */
#include "libc.h"

int main(void)
{
    printf("spin: looping forever\n");
    for (volatile unsigned long i = 0;; i++)
        ;
}
