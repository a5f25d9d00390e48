/* bad-pointer: hands the kernel pointers it must refuse with -EFAULT (14) and survive: a kernel
 * address (where the riscv64 and i386 guest kernels live, and the start of the kernel half: Linux
 * riscv64's and x86-64's (0xffffffc000000000), Linux i386's (0xc0000000)), an
 * unmapped page, a buffer that runs off the end of its mapping, read-only memory (the program's own
 * code) as the buffer of a read, and a bad iovec array. */
#include "libc.h"

static char data_page[4096] __attribute__((aligned(4096)));

static void show(const char *what, long r)
{
    printf("%s = %ld\n", what, r);
}

int main(void)
{
    const char *kernel = (const char *)0x80000000ul;
    const char *unmapped = (const char *)0x1000ul;
    show("write(kernel ptr 0x80000000)", write(1, kernel, 8));
#if __SIZEOF_POINTER__ == 8
    show("write(kernel ptr 0xffffffc000000000)", write(1, (const char *)0xffffffc000000000ul, 8));
#else
    show("write(kernel ptr 0xc0000000)", write(1, (const char *)0xc0000000ul, 8));
#endif
    show("write(unmapped ptr 0x1000)", write(1, unmapped, 8));
    show("read(0, kernel ptr 0x80000000)", read(0, (void *)kernel, 8));
    show("read(0, unmapped ptr 0x1000)", read(0, (void *)unmapped, 8));
    show("read(0, read-only ptr: main)", read(0, (void *)main, 8));
    struct iovec bad[1] = {{(void *)kernel, 4}};
    show("writev(1, iov -> kernel ptr)", writev(1, bad, 1));
    show("writev(1, kernel iov array)", writev(1, (const struct iovec *)kernel, 1));
    show("clock_gettime(0, read-only ptr)", clock_gettime(0, (struct timespec *)(void *)main));
    data_page[0] = 'x';
    show("read(0, valid buffer) (stdin empty)", read(0, data_page, 8));
    printf("bad-pointer: the kernel survived\n");
    return 0;
}
