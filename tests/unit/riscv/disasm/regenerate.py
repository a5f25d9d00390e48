#!/usr/bin/env python3
"""Rebuilds corpus.inc for test_disasm.c: random instances of every row of insn.def and rvc.def
(operand fields random, CSR fields drawn from csr.def), disassembled by llvm-objdump
(--mattr=+m,+a,+f,+d,+c), and the code of the project's bare-metal images (build/guest). The expected text is llvm-objdump's with the symbol suffix of branch targets
(" <.text+0x..>") and trailing blanks removed."""
import os, random, re, subprocess, tempfile

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, '..', '..', '..', '..', 'src', 'cpu', 'riscv')
random.seed(20261126)

rows = re.findall(r'^X\((\w+), "([^"]+)", (0x[0-9a-f]+), (0x[0-9a-f]+), (\w+)',
                  open(os.path.join(src, 'insn.def')).read(), re.M)
crows = re.findall(r'^X\((\w+), "([^"]+)", (0x[0-9a-f]+), (0x[0-9a-f]+),',
                   open(os.path.join(src, 'rvc.def')).read(), re.M)
csrs = [int(n, 16) for n in re.findall(r'^X\((0x[0-9A-Fa-f]+),', open(os.path.join(src, 'csr.def')).read(), re.M)]
csrs.append(0x7c0)  # a custom number: printed as a number

items = []  # (size, value)
for ident, mn, match, mask, fmt in rows:
    match, mask = int(match, 16), int(mask, 16)
    n = 1 if mask == 0xffffffff else 16
    for _ in range(n):
        w = match | (random.getrandbits(32) & ~mask & 0xffffffff)
        if fmt in ('RV_FMT_CSR', 'RV_FMT_CSRI'):
            w = (w & 0xfffff) | (random.choice(csrs) << 20)
            if random.random() < 0.3:
                w &= ~(0x1f << 7)   # rd = zero: the csrw/csrs/... aliases
            if random.random() < 0.3:
                w &= ~(0x1f << 15)  # rs1 = zero: csrr and rdcycle
        elif ident == 'fence':
            # rd, rs1 and fm values other than FENCE.TSO's are reserved (unpriv. 2.7): execution
            # treats them as a plain fence, llvm-objdump prints <unknown>, ringside the fence
            w = w & 0x0ff0007f
        elif ident == 'fence_i':
            w = match  # imm, rs1 and rd reserved (unpriv. ch. 3), as for fence
        elif ident in ('fcvt_d_s', 'fcvt_d_w', 'fcvt_d_wu'):
            w &= ~0x7000  # exact: llvm-objdump decodes only rm = 0 (see disasm.c)
        elif fmt in ('RV_FMT_F_RR',) and random.random() < 0.3:
            w = (w & ~(0x1f << 20)) | (((w >> 15) & 0x1f) << 20)  # rs1 = rs2: fmv/fneg/fabs
        elif random.random() < 0.25:
            w &= ~(random.choice([0x1f << 7, 0x1f << 15, 0x1f << 20]) & ~mask)  # zero fields: aliases
        items.append((4, w))
for ident, mn, match, mask in crows:
    match, mask = int(match, 16), int(mask, 16)
    for _ in range(1 if mask == 0xffff else 24):
        p = match | (random.getrandbits(16) & ~mask & 0xffff)
        if ident == 'c_lui' and (p & 0x107c) == 0:
            continue  # c.lui with nzimm = 0 is reserved even for rd = zero; llvm-objdump prints it
        items.append((2, p))
items += [(4, 0xc0001073), (2, 0x0000), (4, 0x0ff0000f), (4, 0x8330000f), (4, 0x00000013)]
# the FP CSR aliases (frcsr, fscsr, frrm, fsrm, fsrmi, frflags, fsflags, fsflagsi)
for csr in (1, 2, 3):
    for f3 in (1, 2, 5):
        for rd, rs1 in ((0, 5), (6, 0), (7, 9)):
            items.append((4, (csr << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73))
# HINTs (unpriv. 16.7): printed with their c. names
items += [(2, p) for p in (0x0501, 0x1001, 0x0001, 0x4015, 0x6015, 0x7005, 0x707d, 0x507d, 0x0005,
                            0x4001, 0x802e, 0x902e, 0x0056, 0x1056, 0x0502, 0x8101, 0x8501, 0x1502)]

with tempfile.TemporaryDirectory() as tmp:
    asm = os.path.join(tmp, 'c.s')
    with open(asm, 'w') as f:
        f.write('.option norvc\n')
        for size, v in items:
            f.write('%s 0x%x\n' % ('.word' if size == 4 else '.hword', v))
    obj = os.path.join(tmp, 'c.o')
    subprocess.check_call(['clang', '--target=riscv64-unknown-elf', '-march=rv64gc', '-c', asm, '-o', obj])
    out = subprocess.check_output(['llvm-objdump', '-d', '--mattr=+m,+a,+f,+d,+c', obj], text=True)
version = [l.strip() for l in subprocess.check_output(['llvm-objdump', '--version'], text=True).split('\n')
           if 'LLVM version' in l][0]

# the project's own bare-metal images, at their own addresses (build them first)
guests = []
for name in ('rv64_uart_hello', 'rv64_htif_hello', 'rv64_priv_roundtrip', 'bench_rv64_crc32_table',
             'kernel_riscv64', 'riscv64_hello', 'riscv64_syscalls'):
    elf = os.path.join(here, '..', '..', '..', '..', 'build', 'guest', name + '.elf')
    guests.append(subprocess.check_output(['llvm-objdump', '-d', '--mattr=+m,+a,+f,+d,+c', elf], text=True))

lines = []
for line in out.split('\n') + '\n'.join(guests).split('\n'):
    m = re.match(r'^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$', line)
    if not m:
        continue
    pc = int(m.group(1), 16)
    raw = int(''.join(reversed(m.group(2).split())), 16)
    text = re.sub(r' <[^>]*>', '', m.group(3)).rstrip()
    lines.append('    {0x%x, 0x%x, "%s"},' % (pc, raw, text.replace('\t', '\\t')))
assert len(lines) > len(items), (len(lines), len(items))
with open(os.path.join(here, 'corpus.inc'), 'w') as f:
    f.write('/* generated by regenerate.py (%s): {pc, bits, llvm-objdump text} */\n' % version)
    f.write('static const struct disasm_case disasm_corpus[] = {\n%s\n};\n' % '\n'.join(lines))
