import { disassemble, decode } from '../../isa/a64';
import { objdumpWords } from './objdump-guests';
// random words in given mask/match spaces; report objdump mnemonics where kvmsim is UNDEFINED or differs
const spaces: [number, number][] = process.argv.slice(2).map((a) => a.split('/').map((x) => parseInt(x, 16)) as [number, number]);
let s = 0x12345;
const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; return (s >>>= 0); };
const words: number[] = [];
for (const [mask, match] of spaces) for (let i = 0; i < 20000; i++) words.push(((rnd() & ~mask) | match) >>> 0);
const b = new Uint8Array(words.length * 4); const dv = new DataView(b.buffer); words.forEach((w, i) => dv.setUint32(i * 4, w, true));
const miss = new Map<string, [number, string, string]>();
for (const l of objdumpWords(b, 0x40000000n)) {
  const o = disassemble(l.word, l.address).replace(/\s+/g, ' ');
  const t = l.text.replace(/\s+/g, ' ').trim();
  if (o === t) continue;
  const k = t.split(' ')[0] + (decode(l.word).op === 'UNDEFINED' ? ' (undef)' : ' (differs)');
  const e = miss.get(k); if (e) e[0]++; else miss.set(k, [1, l.word.toString(16), `${t} | ${o}`]);
}
for (const [k, v] of [...miss].sort((a, b) => b[1][0] - a[1][0])) console.log(k, v[0], v[1], v[2]);
