/* Memory as the CPU sees it: segment checks (offset -> linear), linear -> physical through the
 * page walker of src/mmu/x86_paging.c when CR0.PG = 1, and a small software TLB of host pointers
 * so that RAM accesses are one lookup and one memcpy.
 *
 * TLB entries are keyed by page and privilege (user or supervisor), separately for reads,
 * fetches (PAE and 4-level paging can disable execution) and writes; a write entry exists only
 * once a walk for a write has set the dirty flag. Like a hardware TLB it is not coherent with the
 * page tables: CR0/CR3/CR4 writes and INVLPG flush it.
 *
 * Data breakpoints (DR0-DR3 with R/W = 01 or 11) are matched here, on the slow path: a page that
 * holds one never enters the TLB for the kinds of access it watches. */
#include "cpu/x86/internal.h"
#include "mmu/x86_paging.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096u

void x86_tlb_flush(struct x86_cpu *cpu)
{
    memset(cpu->tlb_read, 0, sizeof cpu->tlb_read);
    memset(cpu->tlb_write, 0, sizeof cpu->tlb_write);
    memset(cpu->tlb_fetch, 0, sizeof cpu->tlb_fetch);
    cpu->tlb_has_large = false;
    cpu->fetch_gen++;
    cpu->tlb_gen++;
}

#define canonical x86_canonical

x86_status x86_seg_linear(const struct x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size,
                          enum x86_access acc, uint64_t *lin)
{
    const struct x86_seg *s = &cpu->seg[sreg];
    const x86_status fault =
        sreg == X86_SS ? X86_TRAP_EC(X86_VEC_SS, 0) : X86_TRAP_EC(X86_VEC_GP, 0);

    if (cpu->code_bits == 64) {
        /* SDM Vol. 3A 3.2.4: no limit checks in 64-bit mode; only FS and GS have a base. */
        uint64_t l = offset + (sreg >= X86_FS ? s->base : 0);
        if (!canonical(l) || !canonical(l + size - 1)) return fault;
        *lin = l;
        return X86_OK;
    }
    /* SDM Vol. 3A 5.4.1 (null selector), 5.5 (type), 5.3 (limit). */
    if (s->attr & X86_SEG_UNUSABLE) return fault;
    unsigned type = X86_SEG_TYPE(s->attr);
    if (acc == X86_ACC_WRITE) {
        if ((type & X86_SEG_TYPE_CODE) || !(type & X86_SEG_TYPE_W)) return fault;
    } else if (acc == X86_ACC_READ) {
        if ((type & X86_SEG_TYPE_CODE) && !(type & X86_SEG_TYPE_R)) return fault;
    }
    uint64_t last = offset + size - 1;
    if ((type & X86_SEG_TYPE_CODE) || !(type & X86_SEG_TYPE_E)) {
        if (last > s->limit || last < offset) return fault;
    } else {
        /* expand-down: valid offsets are limit + 1 .. 0xFFFF or 0xFFFFFFFF (by the B flag) */
        uint64_t upper = (s->attr & X86_SEG_DB) ? 0xffffffffull : 0xffffull;
        if (offset <= s->limit || last > upper || last < offset) return fault;
    }
    *lin = (s->base + offset) & 0xffffffffull;
    return X86_OK;
}

x86_status x86_mem_check_write(struct x86_cpu *cpu, unsigned sreg, uint64_t offset, unsigned size)
{
    uint64_t lin;
    return x86_seg_linear(cpu, sreg, offset, size, X86_ACC_WRITE, &lin);
}

/* Linear -> physical. A #PF loads CR2 with the linear address (SDM Vol. 3A 4.7). */
static x86_status translate(struct x86_cpu *cpu, uint64_t lin, enum x86_access acc, bool user,
                            uint64_t *phys)
{
    if (!(cpu->cr0 & X86_CR0_PG)) {
        *phys = lin;
        return X86_OK;
    }
    struct mmu_x86_regs regs = {cpu->cr0, cpu->cr3, cpu->cr4, cpu->msr[X86_MSR_EFER]};
    struct mmu_x86_result res;
    uint32_t ec;
    enum mmu_x86_access macc = acc == X86_ACC_WRITE  ? MMU_X86_WRITE
                               : acc == X86_ACC_EXEC ? MMU_X86_FETCH
                                                     : MMU_X86_READ;
    /* SDM Vol. 3A 4.1.1, Table 4-1: EFER.LMA = 1 means 4-level paging; else CR4.PAE = 1 means
     * PAE paging (through the PDPTE registers), else 32-bit paging */
    bool ok;
    if (cpu->msr[X86_MSR_EFER] & X86_EFER_LMA)
        ok = mmu_x86_translate4(&cpu->m->bus, &regs, lin, macc, user, &res, &ec);
    else if (cpu->cr4 & X86_CR4_PAE)
        ok = mmu_x86_translate_pae(&cpu->m->bus, &regs, cpu->pdpte, (uint32_t)lin, macc, user, &res,
                                   &ec);
    else
        ok = mmu_x86_translate32(&cpu->m->bus, &regs, (uint32_t)lin, macc, user, &res, &ec);
    if (!ok) {
        cpu->cr2 = lin;
        return X86_TRAP_EC(X86_VEC_PF, ec);
    }
    *phys = res.phys;
    /* the TLB holds 4 KiB pieces of larger pages: INVLPG then drops everything (below) */
    if (res.page_size > PAGE_SIZE) cpu->tlb_has_large = true;
    return X86_OK;
}

static inline uint64_t tlb_key(uint64_t vpn, bool user)
{
    return X86_TLB_KEY(vpn, user);
}

/* ---- Data and I/O breakpoints (SDM Vol. 3B 17.2.4-17.2.5, 17.3.1.2) ----------------------- */

/* Bytes covered by LENn: 00 one, 01 two, 11 four, 10 eight (17.2.5: eight bytes on the
 * processors this core models, in every mode). */
static const uint8_t dbg_len_bytes[4] = {1, 2, 8, 4};

/* Breakpoint n of DR7 applies to an access of this kind: enabled (Ln or Gn) and R/Wn = 01 or 11
 * for writes, 11 for reads, 10 for I/O with CR4.DE = 1 (with CR4.DE = 0, 10 is undefined: it
 * never matches here). */
static bool dbg_applies(const struct x86_cpu *cpu, unsigned n, enum x86_dbg_kind kind)
{
    if (!((cpu->dr7 >> (2 * n)) & 3)) return false;
    unsigned rw = X86_DR7_RW(cpu->dr7, n);
    switch (kind) {
    case X86_DBG_READ: return rw == X86_DR7_RW_RDWR;
    case X86_DBG_WRITE: return rw == X86_DR7_RW_WRITE || rw == X86_DR7_RW_RDWR;
    default: return rw == X86_DR7_RW_IO && (cpu->cr4 & X86_CR4_DE);
    }
}

/* The first byte breakpoint n covers: 17.2.5, the low address bits below LENn are not compared
 * (breakpoint addresses are aligned to their length); outside IA-32e mode addresses have 32
 * bits. */
static uint64_t dbg_start(const struct x86_cpu *cpu, unsigned n)
{
    uint64_t a = cpu->dr[n] & ~(uint64_t)(dbg_len_bytes[X86_DR7_LEN(cpu->dr7, n)] - 1u);
    return x86_lma(cpu) ? a : a & 0xffffffffull;
}

/* 17.2.5: a data or I/O breakpoint is met when any byte of the access lies in the range
 * DRn .. DRn + LENn - 1. The hit is recorded in dbg_hits and reported after the instruction
 * (17.3.1.2: a trap). */
void x86_dbg_match(struct x86_cpu *cpu, uint64_t addr, unsigned size, enum x86_dbg_kind kind)
{
    for (unsigned n = 0; n < 4; n++) {
        if (!dbg_applies(cpu, n, kind)) continue;
        uint64_t start = dbg_start(cpu, n);
        uint64_t len = dbg_len_bytes[X86_DR7_LEN(cpu->dr7, n)];
        if (addr - start < len || start - addr < size) cpu->dbg_hits |= (uint8_t)(1u << n);
    }
}

/* A page holding an armed data breakpoint gets no TLB entry for that kind of access, so that
 * every such access takes the slow path below (which matches it) and the inline fast paths of
 * internal.h need no breakpoint test. MOV DRn flushes the TLB (descriptor.c). */
static bool dbg_watched(const struct x86_cpu *cpu, uint64_t vpn, enum x86_access acc)
{
    if (!(cpu->dr7 & X86_DR7_ENABLES) || acc == X86_ACC_EXEC) return false;
    enum x86_dbg_kind kind = acc == X86_ACC_WRITE ? X86_DBG_WRITE : X86_DBG_READ;
    for (unsigned n = 0; n < 4; n++)
        if (dbg_applies(cpu, n, kind) && dbg_start(cpu, n) >> PAGE_SHIFT == vpn) return true;
    return false;
}

static inline void dbg_access(struct x86_cpu *cpu, uint64_t lin, unsigned size,
                              enum x86_dbg_kind kind)
{
    if (cpu->dr7 & X86_DR7_ENABLES) x86_dbg_match(cpu, lin, size, kind);
}

/* Host pointer for the page holding lin, through the TLB; NULL when the page is not plain RAM
 * (then *phys is the physical address for bus_read/bus_write) or translation faulted (*st). */
static uint8_t *page_host(struct x86_cpu *cpu, uint64_t lin, enum x86_access acc, bool user,
                          uint64_t *phys, x86_status *st)
{
    uint64_t vpn = lin >> PAGE_SHIFT;
    struct x86_tlb_entry *e = &(acc == X86_ACC_WRITE  ? cpu->tlb_write
                                : acc == X86_ACC_EXEC ? cpu->tlb_fetch
                                                      : cpu->tlb_read)[vpn % X86_TLB_SIZE];
    *st = X86_OK;
    if (e->tag == tlb_key(vpn, user)) return e->host + (lin & (PAGE_SIZE - 1));
    *st = translate(cpu, lin, acc, user, phys);
    if (*st) return NULL;
    uint8_t *host = bus_ram_ptr(&cpu->m->bus, *phys & ~(uint64_t)(PAGE_SIZE - 1), PAGE_SIZE);
    if (!host) return NULL;
    if (!dbg_watched(cpu, vpn, acc)) {
        e->tag = tlb_key(vpn, user);
        e->host = host;
    }
    return host + (lin & (PAGE_SIZE - 1));
}

/* SDM Vol. 3A 4.10.4.1: INVLPG invalidates the translation of the page holding lin, which for a
 * 2 MiB, 4 MiB or 1 GiB page covers many 4 KiB entries of this TLB; while any large page is
 * cached, everything is dropped (flushing more than asked is allowed). */
void x86_tlb_flush_page(struct x86_cpu *cpu, uint64_t lin)
{
    if (cpu->tlb_has_large) {
        x86_tlb_flush(cpu);
        return;
    }
    cpu->fetch_gen++;
    cpu->tlb_gen++;
    uint64_t vpn = lin >> PAGE_SHIFT;
    unsigned i = (unsigned)(vpn % X86_TLB_SIZE);
    for (int user = 0; user < 2; user++) {
        if (cpu->tlb_read[i].tag == tlb_key(vpn, user)) cpu->tlb_read[i].tag = 0;
        if (cpu->tlb_write[i].tag == tlb_key(vpn, user)) cpu->tlb_write[i].tag = 0;
        if (cpu->tlb_fetch[i].tag == tlb_key(vpn, user)) cpu->tlb_fetch[i].tag = 0;
    }
}

static void emit_mem(struct x86_cpu *cpu, uint64_t lin, uint64_t phys, unsigned size,
                     enum ev_mem_type type)
{
    ev_emit_mem(&cpu->m->events, cpu->insn_rip, lin, phys, (uint8_t)size, (uint8_t)type);
}

/* One access within a page. */
static x86_status read_in_page(struct x86_cpu *cpu, uint64_t lin, unsigned size, bool user,
                               uint64_t *value)
{
    uint64_t phys = lin;
    x86_status st;
    uint8_t *host = page_host(cpu, lin, X86_ACC_READ, user, &phys, &st);
    if (st) return st;
    uint64_t v = 0;
    if (host) {
        memcpy(&v, host, size); /* the host is little-endian, as x86 */
        phys = (uint64_t)(host - cpu->m->bus.ram) + cpu->m->bus.ram_base;
    } else {
        /* x86 has no bus error: unclaimed memory reads as all ones (bus.h) */
        if (bus_read(&cpu->m->bus, phys, size, &v) != BUS_OK) v = x86_size_mask(size);
        /* a device's read may have it write RAM in turn: a block being executed ends here */
        code_watch_device(&cpu->code);
    }
    if (cpu->m->events.wanted & EV_MASK(EV_MEM))
        emit_mem(cpu, lin, phys, size, EV_MEM_READ);
    else
        cpu->m->events.count[EV_MEM]++;
    dbg_access(cpu, lin, size, X86_DBG_READ);
    *value = v & x86_size_mask(size);
    return X86_OK;
}

static x86_status write_in_page(struct x86_cpu *cpu, uint64_t lin, unsigned size, bool user,
                                uint64_t value)
{
    uint64_t phys = lin;
    x86_status st;
    uint8_t *host = page_host(cpu, lin, X86_ACC_WRITE, user, &phys, &st);
    if (st) return st;
    if (host) {
        memcpy(host, &value, size);
        code_watch_store(&cpu->code, host);
        phys = (uint64_t)(host - cpu->m->bus.ram) + cpu->m->bus.ram_base;
    } else {
        (void)bus_write(&cpu->m->bus, phys, size, value); /* unclaimed writes are dropped */
        /* a device may write RAM in turn: a block being executed ends here */
        code_watch_device(&cpu->code);
    }
    if (cpu->m->events.wanted & EV_MASK(EV_MEM))
        emit_mem(cpu, lin, phys, size, EV_MEM_WRITE);
    else
        cpu->m->events.count[EV_MEM]++;
    dbg_access(cpu, lin, size, X86_DBG_WRITE);
    return X86_OK;
}

static x86_status read_linear(struct x86_cpu *cpu, uint64_t lin, unsigned size, bool user,
                              uint64_t *value)
{
    unsigned in_page = PAGE_SIZE - (unsigned)(lin & (PAGE_SIZE - 1));
    if (size <= in_page) return read_in_page(cpu, lin, size, user, value);
    /* Split at the page boundary: both pages are checked before the value is used. */
    uint64_t lo, hi;
    x86_status st = read_in_page(cpu, lin, in_page, user, &lo);
    if (!st) st = read_in_page(cpu, lin + in_page, size - in_page, user, &hi);
    if (st) return st;
    *value = lo | hi << (8 * in_page);
    return X86_OK;
}

static x86_status write_linear(struct x86_cpu *cpu, uint64_t lin, unsigned size, bool user,
                               uint64_t value)
{
    unsigned in_page = PAGE_SIZE - (unsigned)(lin & (PAGE_SIZE - 1));
    if (size <= in_page) return write_in_page(cpu, lin, size, user, value);
    /* Translate both pages before writing either, so a fault on the second leaves memory
     * unchanged. */
    uint64_t phys;
    x86_status st;
    page_host(cpu, lin, X86_ACC_WRITE, user, &phys, &st);
    if (!st) page_host(cpu, lin + in_page, X86_ACC_WRITE, user, &phys, &st);
    if (st) return st;
    st = write_in_page(cpu, lin, in_page, user, value);
    if (!st) st = write_in_page(cpu, lin + in_page, size - in_page, user, value >> (8 * in_page));
    return st;
}

/* Accesses at the current privilege: user-mode accesses at CPL 3 (SDM Vol. 3A 4.6). */
x86_status x86_read_linear(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t *value)
{
    return read_linear(cpu, lin, size, cpu->cpl == 3, value);
}
x86_status x86_write_linear(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t value)
{
    return write_linear(cpu, lin, size, cpu->cpl == 3, value);
}

/* Implicit supervisor-mode accesses: descriptor tables, the TSS, and the stack of a delivery
 * to CPL < 3, whatever the CPL (SDM Vol. 3A 4.6 "implicit supervisor-mode accesses"). */
x86_status x86_read_linear_sv(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t *value)
{
    return read_linear(cpu, lin, size, false, value);
}
x86_status x86_write_linear_sv(struct x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t value)
{
    return write_linear(cpu, lin, size, false, value);
}

/* Instruction fetch (see internal.h). */
unsigned x86_fetch(struct x86_cpu *cpu, uint8_t *buf, x86_status *fault)
{
    const struct x86_seg *cs = &cpu->seg[X86_CS];
    uint64_t rip = cpu->rip;
    unsigned max = X86_MAX_INSN_LEN;
    *fault = X86_TRAP_EC(X86_VEC_GP, 0);
    uint64_t lin;
    if (cpu->code_bits == 64) {
        lin = rip;
        if (!canonical(lin)) return 0;
    } else {
        if (rip > cs->limit) return 0;
        if (cs->limit - rip + 1 < max) max = (unsigned)(cs->limit - rip + 1);
        lin = (cs->base + rip) & 0xffffffffull;
    }
    unsigned in_page = PAGE_SIZE - (unsigned)(lin & (PAGE_SIZE - 1));
    uint64_t phys;
    x86_status st;
    bool user = cpu->cpl == 3;
    uint8_t *host = page_host(cpu, lin, X86_ACC_EXEC, user, &phys, &st);
    if (host && in_page >= 16) {
        /* the common case: a constant-size copy the compiler inlines (buf has 16 bytes) */
        memcpy(buf, host, 16);
        return max;
    }
    if (host && in_page >= max) {
        memcpy(buf, host, max);
        return max;
    }
    for (unsigned i = 0; i < max; i++) {
        host = page_host(cpu, lin + i, X86_ACC_EXEC, user, &phys, &st);
        if (st) {
            *fault = st;
            return i;
        }
        uint64_t v = 0xff;
        if (host)
            buf[i] = *host;
        else if (bus_read(&cpu->m->bus, phys, 1, &v) == BUS_OK)
            buf[i] = (uint8_t)v;
        else
            buf[i] = 0xff;
    }
    return max;
}
