/* unknown-syscall: system call numbers the kernel does not know answer -ENOSYS (38). */
#include "libc.h"

int main(void)
{
    printf("syscall(999) = %ld\n", syscall(999, 0, 0, 0, 0, 0, 0));
    printf("syscall(100000) = %ld\n", syscall(100000, 0, 0, 0, 0, 0, 0));
    printf("syscall(-1) = %ld\n", syscall(-1, 0, 0, 0, 0, 0, 0));
    return 0;
}
