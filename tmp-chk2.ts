import * as fs from 'fs';
import { disassemble } from './index';
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const miss = new Map<string, string[]>();
for (const l of fs.readFileSync('/tmp/srp/op0.dis', 'utf8').trim().split('\n')) {
  const m = /^\s*[0-9a-f]+:\t([0-9a-f]{8}) \t(.*)$/.exec(l);
  if (!m) continue;
  const want = norm(m[2]);
  const got = norm(disassemble(parseInt(m[1], 16), 0));
  if (got !== want) {
    const k = want.split(' ')[0] + ' ' + (got.startsWith('.inst') ? 'UNDEF' : 'wrong');
    if (!miss.has(k)) miss.set(k, []);
    miss.get(k)!.push(`${m[1]} ${want} | ${got}`);
  }
}
for (const [k, v] of miss) console.log(k, v.length, v.slice(0, 3).join(' || '));
