#!/usr/bin/env python3
"""Rebuilds vectors.inc for test_float.c: random F/D instructions (every OP-FP and fused row of
insn.def, every rounding mode) on operands drawn from the edges of both formats (zeros, infinities,
quiet and signaling NaNs, improperly NaN-boxed singles, subnormals, the smallest normals, the
largest finite values, rounding ties, integer saturation edges) and random bits, executed by
qemu-riscv64 (user mode) in a generated guest program. Each vector holds the instruction, the
operands (f11, f12, f13, x11) and QEMU's result (f10 or x10) and fflags.
Usage: regenerate.py [count]   (needs clang for riscv64, ld.lld and qemu-riscv64)"""
import os, random, re, struct, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, '..', '..', '..', '..', 'src', 'cpu', 'riscv', 'insn.def')
random.seed(int(os.environ.get("FP_SEED", "20261126")))
count = int(sys.argv[1]) if len(sys.argv) > 1 else 4000

rows = [r for r in re.findall(r'^X\((\w+), "([^"]+)", (0x[0-9a-f]+), (0x[0-9a-f]+), (\w+)',
                                 open(src).read(), re.M)
        if r[4].startswith('RV_FMT_F_R') or r[4] in ('RV_FMT_F_F_RM', 'RV_FMT_X_F_RM', 'RV_FMT_F_X_RM',
                                                   'RV_FMT_X_F', 'RV_FMT_F_X', 'RV_FMT_X_FF')]

def f2b(x): return struct.unpack('<I', struct.pack('<f', x))[0]
def d2b(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
S_EDGE = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff900000,
          0x00000001, 0x80000001, 0x007fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,
          0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0x4f000000, 0xcf000000,
          0x4effffff, 0xcf000001, 0x4f800000, 0x5f000000, 0xdf000000, 0x5f800000, 0x00400000,
          0x3f7fffff, 0x33800000, 0x34000000, 0x0c000000, 0x26000000]
D_EDGE = [0, 1 << 63, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
          0x7ff0000000000001, 0xfff4000000000000, 1, (1 << 63) | 1, 0x000fffffffffffff,
          0x0010000000000000, 0x8010000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
          d2b(1.0), d2b(-1.0), d2b(0.5), d2b(1.5), d2b(2.5), d2b(-2.5), d2b(2**31), d2b(-2**31),
          d2b(2**31 - 1), d2b(-2**31 - 1), d2b(2**32), d2b(2**32 - 1), d2b(2**63), d2b(-2**63),
          d2b(2**64), d2b(-0.5), d2b(4294967295.5), d2b(-2**63 - 2048), d2b(2**63 - 1024),
          0x3ca0000000000000, 0x0008000000000000, d2b(3.4028235677973366e38), d2b(1.1754942e-38),
          d2b(1e-45), d2b(7e-46), 0x36a0000000000000, 0x3690000000000000, 0x47efffffe0000000]

def rnd_s():
    r = random.random()
    if r < 0.45: v = random.choice(S_EDGE)
    elif r < 0.6: v = random.choice(S_EDGE) ^ random.getrandbits(3)
    elif r < 0.7: v = (random.getrandbits(1) << 31) | (random.choice([0, 1, 0x7e, 0x7f, 0x80, 0xfe]) << 23) | random.getrandbits(23)
    else: v = random.getrandbits(32)
    box = 0xffffffff if random.random() > 0.03 else random.getrandbits(32)
    return (box << 32) | v

def rnd_d():
    r = random.random()
    if r < 0.45: return random.choice(D_EDGE)
    if r < 0.6: return random.choice(D_EDGE) ^ random.getrandbits(3)
    if r < 0.7: return (random.getrandbits(1) << 63) | (random.choice([0, 1, 0x3fe, 0x3ff, 0x400, 0x7fe, 0x380, 0x36a]) << 52) | random.getrandbits(52)
    return random.getrandbits(64)

def rnd_x():
    return random.choice([0, 1, 0xffffffffffffffff, 0x7fffffff, 0x80000000, 0xffffffff80000000,
                          0x7fffffffffffffff, 0x8000000000000000, 0x1000001, 0xffffffff,
                          0x20000001, 0x8000000000000401, 0x7ffffffffffffc00, random.getrandbits(64),
                          random.getrandbits(random.randint(1, 64))])

cases = []
for i in range(count):
    ident, mn, match, mask, fmt = random.choice(rows)
    match, mask = int(match, 16), int(mask, 16)
    w = match | (10 << 7) | (11 << 15) | (12 << 20) | (13 << 27)
    w &= ~0 & 0xffffffff
    w = (w & ~mask) | match  # fixed fields (rs2 for unary, funct3 for fixed) stay
    if not (mask & 0x7000):
        w = (w & ~0x7000) | (random.choice([0, 1, 2, 3, 4, 7]) << 12)
    frm = random.randint(0, 4)
    dbl = ('_d' in ident and 'fcvt_s_d' != ident) or ident in ('fmv_x_d', 'fmv_d_x', 'fcvt_s_d')
    g = rnd_d if (dbl and ident != 'fcvt_d_s') or ident == 'fcvt_s_d' else rnd_s
    if ident in ('fmv_d_x',): g = rnd_d
    cases.append((w, g(), g(), g(), rnd_x(), frm))

asm = ['.option norvc', '.globl _start', '_start:', '  li t0, 0x6000', '  csrs fcsr, zero',
       '  la s0, data', '  la s1, out']
for k, (w, a, b, c, x, frm) in enumerate(cases):
    asm += ['  fld f11, 0(s0)', '  fld f12, 8(s0)', '  fld f13, 16(s0)', '  ld a1, 24(s0)',
            '  li t1, %d' % frm, '  fsrm t1', '  fsflags zero', '  fmv.d.x f10, zero', '  li a0, 0',
            '  .word 0x%08x' % w, '  fsd f10, 0(s1)', '  sd a0, 8(s1)', '  frflags t1', '  sd t1, 16(s1)',
            '  addi s0, s0, 32', '  addi s1, s1, 24']
asm += ['  li a0, 1', '  la a1, out', '  li a2, %d' % (24 * len(cases)), '  li a7, 64', '  ecall',
        '  li a0, 0', '  li a7, 93', '  ecall', '.data', 'data:']
for w, a, b, c, x, frm in cases:
    asm.append('  .dword 0x%x, 0x%x, 0x%x, 0x%x' % (a, b, c, x))
asm += ['.bss', 'out:', '  .zero %d' % (24 * len(cases))]

with tempfile.TemporaryDirectory() as tmp:
    s = os.path.join(tmp, 'g.s'); o = os.path.join(tmp, 'g.o'); e = os.path.join(tmp, 'g.elf')
    open(s, 'w').write('\n'.join(asm) + '\n')
    subprocess.check_call(['clang', '--target=riscv64-unknown-elf', '-march=rv64gc', '-c', s, '-o', o])
    subprocess.check_call(['ld.lld', '-static', o, '-o', e])
    out = subprocess.check_output(['qemu-riscv64', e])
    qv = subprocess.check_output(['qemu-riscv64', '--version'], text=True).split('\n')[0]

lines = []
for k, (w, a, b, c, x, frm) in enumerate(cases):
    fr, xr, fl = struct.unpack_from('<QQQ', out, 24 * k)
    lines.append('    {0x%08x, %d, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x},' % (w, frm, a, b, c, x, fr, xr, fl))
with open(os.path.join(here, 'vectors.inc'), 'w') as f:
    f.write('/* generated by regenerate.py (%s): {insn, frm, f11, f12, f13, x11, f10, x10, fflags} */\n' % qv)
    f.write('static const struct fp_vector fp_vectors[] = {\n%s\n};\n' % '\n'.join(lines))
print(len(cases), 'vectors')
