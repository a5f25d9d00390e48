/* syscall-loop N: N getpid calls (default 1000), the smallest round trip into the kernel and back,
 * then the count. Every answer must be the same pid. */
#include "libc.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long pid = getpid(), same = 0;
    for (long i = 0; i < n; i++)
        same += getpid() == pid;
    printf("syscall-loop: %ld getpid calls, %ld with the same pid\n", n, same);
    return same == n ? 0 : 1;
}
