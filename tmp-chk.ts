import * as fs from 'fs';
import { disassemble } from './index';
let bad = 0, n = 0;
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
for (const f of process.argv.slice(2)) for (const l of fs.readFileSync(f, 'utf8').trim().split('\n')) {
  const m = /^\s*[0-9a-f]+:\t([0-9a-f]{8}) \t(.*)$/.exec(l);
  if (!m) continue;
  n++;
  const want = norm(m[2]);
  const got = norm(disassemble(parseInt(m[1], 16), 0));
  if (got !== want && !/^(b|bl|b\.\w+|cbn?z|tbn?z|adrp?|ldr|ldrsw|prfm)\b/.test(want)) { bad++; if (bad < 15) console.log(m[1], JSON.stringify(want), JSON.stringify(got)); }
}
console.log('words', n, 'mismatches (non-PC-relative)', bad);
