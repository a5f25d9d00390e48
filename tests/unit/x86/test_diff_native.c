/* Differential test against the host CPU: register-form integer instructions run natively (the
 * host is x86-64; the first table's encodings mean the same in 64-bit and 32-bit code) and in the
 * emulator from the same pseudo-random states (fixed seed, edge values mixed in), comparing the
 * eight general registers' low 32 bits and the arithmetic flags; a second table of REX.W and
 * 64-bit-mode encodings runs in the emulator's 64-bit mode and compares all 64 bits, with the flags
 * the SDM leaves undefined masked per instruction (and the ones AMD documents as undefined where
 * the host is AMD: BT leaves ZF undefined on AMD, unaffected on Intel). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "x86/helpers.h"

#define ARITH X86_FLAGS_ARITH
#define CASES 3000

/* Host runner: loads RAX..RDI and RFLAGS from s, calls s->code (the instruction then RET), and
 * stores them back. RSP is not touched by the instructions tested. */
struct native_state {
    uint64_t r[8]; /* rax rcx rdx rbx rsp(unused) rbp rsi rdi */
    uint64_t flags;
    void *code;
};
void xt_native_run(struct native_state *s);
__asm__(".pushsection .text\n"
        ".globl xt_native_run\n"
        "xt_native_run:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n"
        "  mov %rdi, %r12\n"
        "  pushq 64(%r12)\n  popfq\n"
        "  mov 0(%r12), %rax\n  mov 8(%r12), %rcx\n  mov 16(%r12), %rdx\n"
        "  mov 24(%r12), %rbx\n  mov 40(%r12), %rbp\n  mov 48(%r12), %rsi\n"
        "  mov 56(%r12), %rdi\n"
        "  call *72(%r12)\n"
        "  pushfq\n  popq 64(%r12)\n"
        "  mov %rax, 0(%r12)\n  mov %rcx, 8(%r12)\n  mov %rdx, 16(%r12)\n"
        "  mov %rbx, 24(%r12)\n  mov %rbp, 40(%r12)\n  mov %rsi, 48(%r12)\n"
        "  mov %rdi, 56(%r12)\n"
        "  pop %r12\n  pop %rbp\n  pop %rbx\n  ret\n"
        ".popsection\n");

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static uint32_t rnd_value(void)
{
    static const uint32_t edges[] = {0,          1,          2,          0x7f,       0x80,
                                     0xff,       0x7fff,     0x8000,     0xffff,     0x7fffffff,
                                     0x80000000, 0xffffffff, 0xfffffffe, 0x00008080, 0x0f0f0f0f};
    uint64_t r = rnd();
    switch (r % 4) {
    case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1: return (uint32_t)(r >> 16) & 0xff;
    default: return (uint32_t)(r >> 32);
    }
}

static uint64_t rnd_value64(void)
{
    static const uint64_t edges[] = {0x8000000000000000ull,
                                     0x7fffffffffffffffull,
                                     UINT64_MAX,
                                     0xffffffff00000000ull,
                                     0x00000000ffffffffull,
                                     1,
                                     0};
    uint64_t r = rnd();
    switch (r % 4) {
    case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1: return rnd_value();
    default: return rnd();
    }
}

enum family {
    F_ALL,   /* every arithmetic flag defined */
    F_LOGIC, /* AF undefined */
    F_MUL,   /* SF ZF AF PF undefined */
    F_DIV,   /* all undefined; inputs chosen so that no #DE occurs */
    F_IDIV,
    F_BT,     /* only CF defined (AMD: OF SF ZF AF PF undefined) */
    F_BSF,    /* only ZF defined */
    F_SHIFT,  /* SHL/SHR/SAR: depends on the count in CL */
    F_ROTATE, /* ROL/ROR/RCL/RCR: depends on the count */
    F_SHLD,   /* SHLD/SHRD: as shifts; 16-bit counts kept <= 16 (defined results) */
};

struct tmpl {
    const char *name;
    uint8_t bytes[8];
    uint8_t len;
    enum family family;
    unsigned width;  /* operand bits, for the shift rules */
    bool shl_or_shr; /* CF undefined for count >= width */
    int imm_at;      /* offset of a random imm8, or -1 */
};

#define B(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})

static const struct tmpl tmpls[] = {
    /* op eax, ebx (01 d8 ...); op ah, bl; op ax, bx; op eax, imm8 (83 /op) */
    {"add eax,ebx", B(0x01, 0xd8), F_ALL, 32, false, -1},
    {"or eax,ebx", B(0x09, 0xd8), F_LOGIC, 32, false, -1},
    {"adc eax,ebx", B(0x11, 0xd8), F_ALL, 32, false, -1},
    {"sbb eax,ebx", B(0x19, 0xd8), F_ALL, 32, false, -1},
    {"and eax,ebx", B(0x21, 0xd8), F_LOGIC, 32, false, -1},
    {"sub eax,ebx", B(0x29, 0xd8), F_ALL, 32, false, -1},
    {"xor eax,ebx", B(0x31, 0xd8), F_LOGIC, 32, false, -1},
    {"cmp eax,ebx", B(0x39, 0xd8), F_ALL, 32, false, -1},
    {"add ah,bl", B(0x00, 0xdc), F_ALL, 8, false, -1},
    {"adc ah,bl", B(0x10, 0xdc), F_ALL, 8, false, -1},
    {"sbb ah,bl", B(0x18, 0xdc), F_ALL, 8, false, -1},
    {"sub ah,bl", B(0x28, 0xdc), F_ALL, 8, false, -1},
    {"add ax,bx", B(0x66, 0x01, 0xd8), F_ALL, 16, false, -1},
    {"sbb ax,bx", B(0x66, 0x19, 0xd8), F_ALL, 16, false, -1},
    {"adc eax,imm8", B(0x83, 0xd0, 0x00), F_ALL, 32, false, 2},
    {"sub eax,imm8", B(0x83, 0xe8, 0x00), F_ALL, 32, false, 2},
    {"and ecx,imm8", B(0x83, 0xe1, 0x00), F_LOGIC, 32, false, 2},
    {"test eax,ebx", B(0x85, 0xd8), F_LOGIC, 32, false, -1},
    {"test al,imm8", B(0xa8, 0x00), F_LOGIC, 8, false, 1},
    {"inc eax", B(0xff, 0xc0), F_ALL, 32, false, -1},
    {"dec bl", B(0xfe, 0xcb), F_ALL, 8, false, -1},
    {"neg eax", B(0xf7, 0xd8), F_ALL, 32, false, -1},
    {"neg dh", B(0xf6, 0xde), F_ALL, 8, false, -1},
    {"not esi", B(0xf7, 0xd6), F_ALL, 32, false, -1},
    /* shifts and rotates by CL and by imm8 */
    {"rol eax,cl", B(0xd3, 0xc0), F_ROTATE, 32, false, -1},
    {"ror eax,cl", B(0xd3, 0xc8), F_ROTATE, 32, false, -1},
    {"rcl eax,cl", B(0xd3, 0xd0), F_ROTATE, 32, false, -1},
    {"rcr eax,cl", B(0xd3, 0xd8), F_ROTATE, 32, false, -1},
    {"shl eax,cl", B(0xd3, 0xe0), F_SHIFT, 32, true, -1},
    {"shr eax,cl", B(0xd3, 0xe8), F_SHIFT, 32, true, -1},
    {"sar eax,cl", B(0xd3, 0xf8), F_SHIFT, 32, false, -1},
    {"rol bl,cl", B(0xd2, 0xc3), F_ROTATE, 8, false, -1},
    {"rcl bl,cl", B(0xd2, 0xd3), F_ROTATE, 8, false, -1},
    {"rcr bl,cl", B(0xd2, 0xdb), F_ROTATE, 8, false, -1},
    {"shl bl,cl", B(0xd2, 0xe3), F_SHIFT, 8, true, -1},
    {"shr bl,cl", B(0xd2, 0xeb), F_SHIFT, 8, true, -1},
    {"sar bl,cl", B(0xd2, 0xfb), F_SHIFT, 8, false, -1},
    {"rcl dx,cl", B(0x66, 0xd3, 0xd2), F_ROTATE, 16, false, -1},
    {"rcr dx,cl", B(0x66, 0xd3, 0xda), F_ROTATE, 16, false, -1},
    {"shr dx,cl", B(0x66, 0xd3, 0xea), F_SHIFT, 16, true, -1},
    {"sar dx,cl", B(0x66, 0xd3, 0xfa), F_SHIFT, 16, false, -1},
    {"shl esi,imm8", B(0xc1, 0xe6, 0x00), F_SHIFT, 32, true, 2},
    {"ror esi,imm8", B(0xc1, 0xce, 0x00), F_ROTATE, 32, false, 2},
    {"shl eax,1", B(0xd1, 0xe0), F_SHIFT, 32, true, -1},
    {"rcr eax,1", B(0xd1, 0xd8), F_ROTATE, 32, false, -1},
    {"shld eax,ebx,cl", B(0x0f, 0xa5, 0xd8), F_SHLD, 32, false, -1},
    {"shrd eax,ebx,cl", B(0x0f, 0xad, 0xd8), F_SHLD, 32, false, -1},
    {"shld eax,ebx,imm8", B(0x0f, 0xa4, 0xd8, 0x00), F_SHLD, 32, false, 3},
    {"shrd esi,edx,imm8", B(0x0f, 0xac, 0xd6, 0x00), F_SHLD, 32, false, 3},
    {"shld dx,si,cl", B(0x66, 0x0f, 0xa5, 0xf2), F_SHLD, 16, false, -1},
    {"shrd dx,si,cl", B(0x66, 0x0f, 0xad, 0xf2), F_SHLD, 16, false, -1},
    /* multiply and divide */
    {"mul ebx", B(0xf7, 0xe3), F_MUL, 32, false, -1},
    {"imul ebx", B(0xf7, 0xeb), F_MUL, 32, false, -1},
    {"mul bl", B(0xf6, 0xe3), F_MUL, 8, false, -1},
    {"imul bl", B(0xf6, 0xeb), F_MUL, 8, false, -1},
    {"imul bx", B(0x66, 0xf7, 0xeb), F_MUL, 16, false, -1},
    {"imul eax,ebx", B(0x0f, 0xaf, 0xc3), F_MUL, 32, false, -1},
    {"imul eax,ebx,imm8", B(0x6b, 0xc3, 0x00), F_MUL, 32, false, 2},
    {"div ebx", B(0xf7, 0xf3), F_DIV, 32, false, -1},
    {"idiv ebx", B(0xf7, 0xfb), F_IDIV, 32, false, -1},
    /* bits */
    {"bt eax,ebx", B(0x0f, 0xa3, 0xd8), F_BT, 32, false, -1},
    {"bts eax,ebx", B(0x0f, 0xab, 0xd8), F_BT, 32, false, -1},
    {"btr eax,ebx", B(0x0f, 0xb3, 0xd8), F_BT, 32, false, -1},
    {"btc eax,ebx", B(0x0f, 0xbb, 0xd8), F_BT, 32, false, -1},
    {"btc eax,imm8", B(0x0f, 0xba, 0xf8, 0x00), F_BT, 32, false, 3},
    {"bsf eax,ebx", B(0x0f, 0xbc, 0xc3), F_BSF, 32, false, -1},
    {"bsr eax,ebx", B(0x0f, 0xbd, 0xc3), F_BSF, 32, false, -1},
    /* moves that keep the flags */
    {"xadd eax,ebx", B(0x0f, 0xc1, 0xd8), F_ALL, 32, false, -1},
    {"cmpxchg ecx,ebx", B(0x0f, 0xb1, 0xd9), F_ALL, 32, false, -1},
    {"cmpxchg cl,bl", B(0x0f, 0xb0, 0xd9), F_ALL, 8, false, -1},
    {"setl al", B(0x0f, 0x9c, 0xc0), F_ALL, 8, false, -1},
    {"setbe al", B(0x0f, 0x96, 0xc0), F_ALL, 8, false, -1},
    {"setg al", B(0x0f, 0x9f, 0xc0), F_ALL, 8, false, -1},
    {"setp al", B(0x0f, 0x9a, 0xc0), F_ALL, 8, false, -1},
    {"cmovle eax,ebx", B(0x0f, 0x4e, 0xc3), F_ALL, 32, false, -1},
    {"cmova eax,ebx", B(0x0f, 0x47, 0xc3), F_ALL, 32, false, -1},
    {"cmovo ax,bx", B(0x66, 0x0f, 0x40, 0xc3), F_ALL, 16, false, -1},
    {"cbw", B(0x66, 0x98), F_ALL, 16, false, -1},
    {"cwde", B(0x98), F_ALL, 32, false, -1},
    {"cwd", B(0x66, 0x99), F_ALL, 16, false, -1},
    {"cdq", B(0x99), F_ALL, 32, false, -1},
    {"bswap ebx", B(0x0f, 0xcb), F_ALL, 32, false, -1},
    {"xchg eax,ebx", B(0x87, 0xd8), F_ALL, 32, false, -1},
    {"movzx eax,bh", B(0x0f, 0xb6, 0xc7), F_ALL, 32, false, -1},
    {"movsx eax,bx", B(0x0f, 0xbf, 0xc3), F_ALL, 32, false, -1},
    {"lahf", B(0x9f), F_ALL, 8, false, -1},
    {"sahf", B(0x9e), F_ALL, 8, false, -1},
};

/* REX.W forms and 32-bit forms whose results zero-extend in 64-bit mode (SDM Vol. 1 3.4.1.1). */
static const struct tmpl tmpls64[] = {
    {"add rax,rbx", B(0x48, 0x01, 0xd8), F_ALL, 64, false, -1},
    {"adc rax,rbx", B(0x48, 0x11, 0xd8), F_ALL, 64, false, -1},
    {"sbb rax,rbx", B(0x48, 0x19, 0xd8), F_ALL, 64, false, -1},
    {"sub rax,rbx", B(0x48, 0x29, 0xd8), F_ALL, 64, false, -1},
    {"cmp rax,rbx", B(0x48, 0x39, 0xd8), F_ALL, 64, false, -1},
    {"and rax,rbx", B(0x48, 0x21, 0xd8), F_LOGIC, 64, false, -1},
    {"or rax,rbx", B(0x48, 0x09, 0xd8), F_LOGIC, 64, false, -1},
    {"xor rax,rbx", B(0x48, 0x31, 0xd8), F_LOGIC, 64, false, -1},
    {"sub rax,imm8", B(0x48, 0x83, 0xe8, 0x00), F_ALL, 64, false, 3},
    {"add eax,ebx (zero-extends)", B(0x01, 0xd8), F_ALL, 32, false, -1},
    {"neg rax", B(0x48, 0xf7, 0xd8), F_ALL, 64, false, -1},
    {"inc rax", B(0x48, 0xff, 0xc0), F_ALL, 64, false, -1},
    {"dec rbx", B(0x48, 0xff, 0xcb), F_ALL, 64, false, -1},
    {"rol rax,cl", B(0x48, 0xd3, 0xc0), F_ROTATE, 64, false, -1},
    {"ror rax,cl", B(0x48, 0xd3, 0xc8), F_ROTATE, 64, false, -1},
    {"rcl rax,cl", B(0x48, 0xd3, 0xd0), F_ROTATE, 64, false, -1},
    {"rcr rax,cl", B(0x48, 0xd3, 0xd8), F_ROTATE, 64, false, -1},
    {"shl rax,cl", B(0x48, 0xd3, 0xe0), F_SHIFT, 64, true, -1},
    {"shr rax,cl", B(0x48, 0xd3, 0xe8), F_SHIFT, 64, true, -1},
    {"sar rax,cl", B(0x48, 0xd3, 0xf8), F_SHIFT, 64, false, -1},
    {"shl rsi,imm8", B(0x48, 0xc1, 0xe6, 0x00), F_SHIFT, 64, true, 3},
    {"shld rax,rbx,cl", B(0x48, 0x0f, 0xa5, 0xd8), F_SHLD, 64, false, -1},
    {"shrd rax,rbx,cl", B(0x48, 0x0f, 0xad, 0xd8), F_SHLD, 64, false, -1},
    {"mul rbx", B(0x48, 0xf7, 0xe3), F_MUL, 64, false, -1},
    {"imul rbx", B(0x48, 0xf7, 0xeb), F_MUL, 64, false, -1},
    {"imul rax,rbx", B(0x48, 0x0f, 0xaf, 0xc3), F_MUL, 64, false, -1},
    {"imul rax,rbx,imm8", B(0x48, 0x6b, 0xc3, 0x00), F_MUL, 64, false, 3},
    {"div rbx", B(0x48, 0xf7, 0xf3), F_DIV, 64, false, -1},
    {"idiv rbx", B(0x48, 0xf7, 0xfb), F_IDIV, 64, false, -1},
    {"bt rax,rbx", B(0x48, 0x0f, 0xa3, 0xd8), F_BT, 64, false, -1},
    {"bts rax,rbx", B(0x48, 0x0f, 0xab, 0xd8), F_BT, 64, false, -1},
    {"bsf rax,rbx", B(0x48, 0x0f, 0xbc, 0xc3), F_BSF, 64, false, -1},
    {"bsr rax,rbx", B(0x48, 0x0f, 0xbd, 0xc3), F_BSF, 64, false, -1},
    {"xadd rax,rbx", B(0x48, 0x0f, 0xc1, 0xd8), F_ALL, 64, false, -1},
    {"cmpxchg rcx,rbx", B(0x48, 0x0f, 0xb1, 0xd9), F_ALL, 64, false, -1},
    {"cmovle rax,rbx", B(0x48, 0x0f, 0x4e, 0xc3), F_ALL, 64, false, -1},
    {"cdqe", B(0x48, 0x98), F_ALL, 64, false, -1},
    {"cqo", B(0x48, 0x99), F_ALL, 64, false, -1},
    {"bswap rbx", B(0x48, 0x0f, 0xcb), F_ALL, 64, false, -1},
    {"movsxd rax,ebx", B(0x48, 0x63, 0xc3), F_ALL, 64, false, -1},
    {"movzx eax,bh", B(0x0f, 0xb6, 0xc7), F_ALL, 32, false, -1},
    {"mov sil,bl (REX)", B(0x40, 0x88, 0xde), F_ALL, 8, false, -1},
};

/* The flags to compare after the instruction ran with these inputs. */
static uint64_t defined_flags(const struct tmpl *tp, const uint8_t *bytes, uint64_t ecx)
{
    switch (tp->family) {
    case F_ALL: return ARITH;
    case F_LOGIC: return ARITH & ~(uint64_t)X86_AF;
    case F_MUL: return X86_CF | X86_OF;
    case F_DIV:
    case F_IDIV: return 0;
    case F_BT: return X86_CF;
    case F_BSF: return X86_ZF;
    default: break;
    }
    unsigned count;
    unsigned cmask = tp->width == 64 ? 0x3f : 0x1f;
    if (tp->imm_at >= 0)
        count = bytes[tp->imm_at] & cmask;
    else if (bytes[tp->len - 2] == 0xd1 || bytes[tp->len - 2] == 0xd0)
        count = 1;
    else
        count = (unsigned)ecx & cmask;
    if (count == 0) return ARITH; /* nothing changes */
    uint64_t m = ARITH;
    if (tp->family == F_SHIFT || tp->family == F_SHLD) {
        m &= ~(uint64_t)X86_AF;
        if (tp->shl_or_shr && count >= tp->width) m &= ~(uint64_t)X86_CF;
    }
    if (count != 1) m &= ~(uint64_t)X86_OF;
    return m;
}

static void run_table(struct xt *t, const struct tmpl *table, size_t n, bool mode64)
{
    uint8_t *page =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) skip();
    if (mode64) xt_lm_env(t->cpu);
    const uint64_t cmp_mask = mode64 ? UINT64_MAX : 0xffffffffu;
    unsigned failures = 0, compared = 0;
    for (size_t k = 0; k < n; k++) {
        const struct tmpl *tp = &table[k];
        for (unsigned c = 0; c < CASES; c++) {
            uint8_t bytes[9];
            memcpy(bytes, tp->bytes, tp->len);
            if (tp->imm_at >= 0) bytes[tp->imm_at] = (uint8_t)rnd();
            uint64_t in[8];
            for (unsigned r = 0; r < 8; r++)
                in[r] = mode64 ? rnd_value64() : rnd_value();
            in[X86_RSP] = 0;
            if (tp->family == F_SHIFT || tp->family == F_ROTATE || tp->family == F_SHLD)
                in[X86_RCX] = (in[X86_RCX] & ~0xffull) | (rnd() % (tp->width == 64 ? 72 : 40));
            if (tp->family == F_SHLD && tp->width == 16)
                in[X86_RCX] = (in[X86_RCX] & ~0xffull) | (rnd() % 17);
            if (!mode64)
                for (unsigned r = 0; r < 8; r++)
                    in[r] &= 0xffffffffu;
            if (tp->family == F_DIV) { /* no #DE: EDX < EBX (RDX < RBX) */
                if (in[X86_RBX] == 0) in[X86_RBX] = 1;
                in[X86_RDX] %= in[X86_RBX];
            }
            if (tp->family == F_IDIV && tp->width == 64) {
                if (in[X86_RBX] == 0) in[X86_RBX] = 3;
                if (in[X86_RAX] == 0x8000000000000000ull && in[X86_RBX] == UINT64_MAX)
                    in[X86_RAX] = 5;
                in[X86_RDX] = (int64_t)in[X86_RAX] < 0 ? UINT64_MAX : 0;
            } else if (tp->family == F_IDIV) { /* no #DE: sign-extended dividend, no INT_MIN / -1 */
                if (in[X86_RBX] == 0) in[X86_RBX] = 3;
                if (in[X86_RAX] == 0x80000000u && in[X86_RBX] == 0xffffffffu) in[X86_RAX] = 5;
                in[X86_RDX] = (int32_t)in[X86_RAX] < 0 ? 0xffffffffu : 0;
            }
            uint64_t flags_in = rnd() & ARITH;

            struct native_state ns;
            for (unsigned r = 0; r < 8; r++)
                ns.r[r] = in[r];
            ns.flags = flags_in | 0x202;
            memcpy(page, bytes, tp->len);
            page[tp->len] = 0xc3;
            ns.code = page;
            if (getenv("XT_TRACE"))
                fprintf(stderr, "%s %016llx %016llx %016llx\n", tp->name, (unsigned long long)in[0],
                        (unsigned long long)in[2], (unsigned long long)in[3]);
            xt_native_run(&ns);

            struct x86_cpu *cpu = t->cpu;
            for (unsigned r = 0; r < 8; r++)
                cpu->gpr[r] = in[r];
            cpu->gpr[X86_RSP] = XT_STACK_TOP;
            cpu->rflags = flags_in | X86_FLAGS_FIXED1;
            cpu->rip = XT_CODE_ADDR;
            xt_code(cpu, bytes, tp->len);
            x86_status st = x86_step(cpu);
            uint64_t mask = defined_flags(tp, bytes, in[X86_RCX]);
            bool bad = st != X86_OK || (cpu->rflags & mask) != (ns.flags & mask);
            for (unsigned r = 0; r < 8; r++)
                if (r != X86_RSP && ((cpu->gpr[r] ^ ns.r[r]) & cmp_mask)) bad = true;
            compared++;
            if (bad && failures++ < 10) {
                printf("MISMATCH %s: flags in %03x imm %02x\n", tp->name, (unsigned)flags_in,
                       tp->imm_at >= 0 ? bytes[tp->imm_at] : 0);
                for (unsigned r = 0; r < 8; r++)
                    printf("  r%u in %016llx host %016llx emu %016llx\n", r,
                           (unsigned long long)in[r], (unsigned long long)ns.r[r],
                           (unsigned long long)cpu->gpr[r]);
                printf("  flags host %03x emu %03x mask %03x st %x\n", (unsigned)(ns.flags & ARITH),
                       (unsigned)(cpu->rflags & ARITH), (unsigned)mask, st);
            }
        }
    }
    munmap(page, 4096);
    printf("%u cases, %u mismatches\n", compared, failures);
    assert_int_equal(failures, 0);
}

static void test_against_host(void **state)
{
    run_table(*state, tmpls, sizeof tmpls / sizeof tmpls[0], false);
}

/* The same in 64-bit mode (SDM Vol. 2A 2.2.1: REX.W; Vol. 1 3.4.1.1: 32-bit results
 * zero-extend). */
static void test_against_host_64(void **state)
{
    run_table(*state, tmpls64, sizeof tmpls64 / sizeof tmpls64[0], true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_against_host, xt_setup, xt_teardown),
        cmocka_unit_test_setup_teardown(test_against_host_64, xt_setup, xt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
