import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemble, checkAssembly } from 'kvmsim';

describe('.include', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-inc-'));
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.writeFileSync(path.join(dir, 'lib', 'ret.S'), '// a shared routine\nret1:   mov x0, #1\n        ret\n');
  fs.writeFileSync(path.join(dir, 'lib', 'bad.S'), 'nop\n        movz x0, #70000\n');
  fs.writeFileSync(path.join(dir, 'loop.S'), '.include "loop.S"\n');
  const main = path.join(dir, 'main.S');
  fs.writeFileSync(main, '_start: bl ret1\n        b .\n        .include "lib/ret.S"\n');

  it('assembles included files in place, relative to the including file', () => {
    const r = assemble(fs.readFileSync(main, 'utf8'), { file: main, base: 0x1000 });
    const words = Array.from({ length: r.bytes.length / 4 }, (_, i) => new DataView(r.bytes.buffer).getUint32(i * 4, true));
    expect(words.map((w) => w.toString(16))).toEqual(['94000002', '14000000', 'd2800020', 'd65f03c0']);
    expect(r.symbols.get('ret1')).toBe(0x1008n);
  });

  it("reports errors with the included file's name and line", () => {
    const issues = checkAssembly('nop\n.include "lib/bad.S"\n', { file: path.join(dir, 'x.S') });
    expect(issues).toEqual([{ file: path.join(dir, 'lib', 'bad.S'), line: 2, message: expect.stringContaining('does not fit') }]);
    expect(checkAssembly('.include "nope.S"\n', { file: main })[0].message).toMatch(/\.include "nope\.S": cannot read .*nope\.S/);
    expect(checkAssembly('.include "loop.S"\n', { file: path.join(dir, 'loop.S') })[0].message).toContain('an include cycle?');
  });
});
