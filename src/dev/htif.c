/* HTIF, Spike's host-target interface (dev.h), at the addresses of the ELF symbols tohost and
 * fromhost, as Spike's front-end server (riscv-isa-sim fesvr/htif.cc, device.cc, syscall.cc) and
 * QEMU's hw/char/riscv_htif.c serve it.
 *
 * A command is a 64-bit store to tohost: device in bits 63:56, command in 55:48, payload in 47:0.
 * The host takes it (tohost reads 0 again) and may answer with a value in fromhost that keeps the
 * device and command bits and carries its result in bits 47:0 (fesvr command_t::respond). Spike
 * writes an answer only while fromhost is 0 and queues the others; the guest takes an answer by
 * reading fromhost and clears it by writing 0. Commands served:
 * - device 0 (syscall proxy), command 0, payload bit 0 set: exit with status payload >> 1 (the
 *   riscv-tests pass/fail convention; no answer).
 * - device 0, command 0, payload bit 0 clear: payload is the guest-physical address of a "magic
 *   memory" block of 8 little-endian doublewords: syscall number, then arguments (riscv-tests'
 *   syscall(), riscv-pk's frontend_syscall). write (64) to fd 1 or 2 goes to the console, exit
 *   (93) ends the run; the result goes to magic_mem[0] (-EBADF, -EFAULT, -ENOSYS as negative
 *   numbers), then the answer 1 (fesvr syscall_t::handle_syscall responds 1).
 * - device 1 (bcd console), command 1: write the low payload byte; answer 0x100 | byte (fesvr
 *   bcd_t::handle_write, QEMU: resp = 0x100 | (uint8_t)payload).
 * - device 1, command 0: read a byte; answered with 0x100 | byte once a byte is available (fesvr
 *   bcd_t::tick). ringside looks for input whenever the guest reads fromhost while it is 0 (that
 *   is how guests wait); at end of input the read is never answered, as in Spike.
 * - Anything else (other devices, the identify command 255) is ignored without an answer, as
 *   Spike's null commands are.
 * The registers are 8 bytes; they take 8-byte accesses and 4-byte halves (RV32 guests). A store to
 * the upper half of tohost completes a command whose lower half was stored first; an upper-half
 * store without one is ignored (QEMU's allow_tohost rule). Other widths are BUS_BAD_ACCESS. Both
 * registers read 0 at attach time, whatever the ELF image holds there. */
#include "dev/dev.h"
#include "dev/dev_internal.h"
#include "machine/machine.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#define HTIF_DEV_SYSCALL  0
#define HTIF_DEV_CONSOLE  1
#define HTIF_CONSOLE_GETC 0
#define HTIF_CONSOLE_PUTC 1
#define HTIF_PAYLOAD_MASK ((1ull << 48) - 1)

/* Linux/RISC-V system call numbers, as riscv-tests and riscv-pk use them. */
#define HTIF_SYS_WRITE 64
#define HTIF_SYS_EXIT  93
#define HTIF_EBADF     9
#define HTIF_EFAULT    14
#define HTIF_ENOSYS    38

#define HTIF_QUEUE 64 /* answers waiting for fromhost to be cleared; more are dropped */

struct dev_htif {
    struct machine *m;
    struct dev_console console;
    int in_fd; /* console.in_fd until end of input, then -1 */
    uint64_t tohost, fromhost;
    bool low_half_written;  /* a 4-byte store to tohost's lower half awaits the upper half */
    unsigned pending_reads; /* console reads not yet answered */
    uint64_t queue[HTIF_QUEUE];
    unsigned q_head, q_count;
};

/* Puts the next answer into fromhost if the guest has taken the last one (fromhost is 0). */
static void deliver(struct dev_htif *h)
{
    if (h->fromhost != 0) return;
    if (h->q_count) {
        h->fromhost = h->queue[h->q_head];
        h->q_head = (h->q_head + 1) % HTIF_QUEUE;
        h->q_count--;
        return;
    }
    if (h->pending_reads && h->in_fd >= 0) {
        int c = dev_input_poll(h->in_fd);
        if (c >= 0) {
            h->pending_reads--;
            h->fromhost = ((uint64_t)HTIF_DEV_CONSOLE << 56) | ((uint64_t)HTIF_CONSOLE_GETC << 48) |
                          0x100 | (unsigned)c;
        } else if (c == DEV_INPUT_EOF) {
            h->in_fd = -1;
        }
    }
}

/* fesvr command_t::respond: the command's device and command bits, the result in bits 47:0. */
static void respond(struct dev_htif *h, uint64_t command, uint64_t result)
{
    if (h->q_count < HTIF_QUEUE) {
        h->queue[(h->q_head + h->q_count) % HTIF_QUEUE] =
            (command & ~HTIF_PAYLOAD_MASK) | (result & HTIF_PAYLOAD_MASK);
        h->q_count++;
    }
    deliver(h);
}

static bool in_ram(const struct bus *bus, uint64_t paddr, uint64_t len)
{
    return paddr >= bus->ram_base && len <= bus->ram_size &&
           paddr - bus->ram_base <= bus->ram_size - len;
}

static int64_t sys_write(struct dev_htif *h, uint64_t fd, uint64_t buf, uint64_t len)
{
    if (fd != 1 && fd != 2) return -HTIF_EBADF;
    /* Check the whole buffer first, so that a bad one writes nothing. */
    if (len && !in_ram(&h->m->bus, buf, len)) return -HTIF_EFAULT;
    uint8_t chunk[256];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        if (bus_copy_from_ram(&h->m->bus, buf + done, chunk, n) < 0) return -HTIF_EFAULT;
        for (uint64_t i = 0; i < n; i++)
            if (h->console.put) h->console.put(h->console.opaque, chunk[i]);
        done += n;
    }
    return len > INT64_MAX ? INT64_MAX : (int64_t)len;
}

static void syscall_proxy(struct dev_htif *h, uint64_t command, uint64_t addr)
{
    uint64_t magic[8];
    if (bus_copy_from_ram(&h->m->bus, addr, magic, sizeof magic) < 0) {
        /* Spike ends the simulation on a bad address ("Access exception occurred"). */
        machine_request_stop(h->m, STOP_FATAL, EXIT_GUEST_FATAL,
                             "HTIF: syscall block at %#llx is not in RAM",
                             (unsigned long long)addr);
        return;
    }
    int64_t ret;
    switch (magic[0]) {
    case HTIF_SYS_WRITE: ret = sys_write(h, magic[1], magic[2], magic[3]); break;
    case HTIF_SYS_EXIT:
        machine_request_stop(h->m, STOP_EXIT, (int)(magic[1] & INT_MAX),
                             "HTIF: exit(%lld) through the syscall proxy", (long long)magic[1]);
        ret = 0;
        break;
    default: ret = -HTIF_ENOSYS; break;
    }
    uint64_t result = (uint64_t)ret;
    bus_copy_to_ram(&h->m->bus, addr, &result, sizeof result); /* in RAM: checked above */
    respond(h, command, 1);
}

static void handle_command(struct dev_htif *h, uint64_t command)
{
    h->tohost = 0; /* taken: Spike's front end zeroes tohost when it reads a command */
    h->low_half_written = false;
    unsigned device = (unsigned)(command >> 56);
    unsigned cmd = (unsigned)(command >> 48) & 0xff;
    uint64_t payload = command & HTIF_PAYLOAD_MASK;
    if (command == 0) return; /* 0 means "no command" */
    if (device == HTIF_DEV_SYSCALL && cmd == 0) {
        if (payload & 1)
            machine_request_stop(h->m, STOP_EXIT, (int)((payload >> 1) & INT_MAX),
                                 "HTIF: exit with status %llu (tohost = %#llx)",
                                 (unsigned long long)(payload >> 1), (unsigned long long)command);
        else
            syscall_proxy(h, command, payload);
    } else if (device == HTIF_DEV_CONSOLE && cmd == HTIF_CONSOLE_PUTC) {
        uint8_t byte = (uint8_t)payload;
        if (h->console.put) h->console.put(h->console.opaque, byte);
        respond(h, command, 0x100 | byte);
    } else if (device == HTIF_DEV_CONSOLE && cmd == HTIF_CONSOLE_GETC) {
        if (h->pending_reads < UINT_MAX) h->pending_reads++;
        deliver(h);
    }
}

/* Reads and writes of an 8-byte register, whole or as 4-byte halves. */
static bool access_ok(uint64_t offset, unsigned size)
{
    return (size == 8 && offset == 0) || (size == 4 && (offset == 0 || offset == 4));
}

static uint64_t read_reg(uint64_t reg, uint64_t offset, unsigned size)
{
    return size == 8 ? reg : offset == 0 ? reg & 0xffffffffu : reg >> 32;
}

static enum bus_status tohost_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct dev_htif *h = dev;
    if (!access_ok(offset, size)) return BUS_BAD_ACCESS;
    *value = read_reg(h->tohost, offset, size);
    return BUS_OK;
}

static enum bus_status tohost_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_htif *h = dev;
    if (!access_ok(offset, size)) return BUS_BAD_ACCESS;
    if (size == 8) {
        handle_command(h, value);
    } else if (offset == 0) {
        h->tohost = value & 0xffffffffu;
        h->low_half_written = true;
    } else if (h->low_half_written) {
        handle_command(h, (h->tohost & 0xffffffffu) | (value << 32));
    }
    return BUS_OK;
}

static enum bus_status fromhost_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct dev_htif *h = dev;
    if (!access_ok(offset, size)) return BUS_BAD_ACCESS;
    deliver(h);
    *value = read_reg(h->fromhost, offset, size);
    return BUS_OK;
}

static enum bus_status fromhost_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev_htif *h = dev;
    if (!access_ok(offset, size)) return BUS_BAD_ACCESS;
    if (size == 8)
        h->fromhost = value;
    else if (offset == 0)
        h->fromhost = (h->fromhost & 0xffffffff00000000ull) | value;
    else
        h->fromhost = (h->fromhost & 0xffffffffu) | (value << 32);
    deliver(h); /* the guest took the last answer: the next one may follow */
    return BUS_OK;
}

static const struct bus_ops tohost_ops = {.read = tohost_read, .write = tohost_write};
static const struct bus_ops fromhost_ops = {.read = fromhost_read, .write = fromhost_write};

/* The checks bus_add_mmio makes, made for both registers before either is added, because a region
 * cannot be taken off the bus again. */
static int check_region(const struct machine *m, const char *name, uint64_t base, char *err,
                        size_t errlen)
{
    if (base > UINT64_MAX - 8) {
        snprintf(err, errlen, "HTIF: %s at %#llx wraps around", name, (unsigned long long)base);
        return -1;
    }
    for (unsigned i = 0; i < m->bus.n_mmio; i++) {
        const struct bus_region *r = &m->bus.mmio[i];
        if (base < r->base + r->size && r->base < base + 8) {
            snprintf(err, errlen, "device htif-%s overlaps device %s in memory space", name,
                     r->name);
            return -1;
        }
    }
    return 0;
}

struct dev_htif *dev_htif_attach(struct machine *m, uint64_t tohost, uint64_t fromhost,
                                 const struct dev_console *console, char *err, size_t errlen)
{
    if (m->bus.n_mmio + 2 > BUS_MAX_REGIONS) {
        snprintf(err, errlen, "HTIF: too many memory devices for tohost and fromhost");
        return NULL;
    }
    if (check_region(m, "tohost", tohost, err, errlen) < 0 ||
        check_region(m, "fromhost", fromhost, err, errlen) < 0)
        return NULL;
    if (tohost < fromhost + 8 && fromhost < tohost + 8) {
        snprintf(err, errlen, "HTIF: tohost (%#llx) and fromhost (%#llx) overlap",
                 (unsigned long long)tohost, (unsigned long long)fromhost);
        return NULL;
    }
    if (m->n_owned >= MACHINE_MAX_OWNED) {
        snprintf(err, errlen, "HTIF: the machine cannot own more than %d devices",
                 MACHINE_MAX_OWNED);
        return NULL;
    }
    struct dev_htif *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "HTIF: out of memory");
        return NULL;
    }
    h->m = m;
    if (console)
        h->console = *console;
    else
        h->console.in_fd = -1;
    h->in_fd = h->console.in_fd;
    /* Owned first: should adding a region still fail, the bus never points at freed memory. */
    machine_own(m, h, free);
    struct bus_region to = {
        .name = "htif-tohost", .base = tohost, .size = 8, .ops = &tohost_ops, .dev = h};
    struct bus_region from = {
        .name = "htif-fromhost", .base = fromhost, .size = 8, .ops = &fromhost_ops, .dev = h};
    if (bus_add_mmio(&m->bus, &to, err, errlen) < 0 ||
        bus_add_mmio(&m->bus, &from, err, errlen) < 0)
        return NULL;
    return h;
}
