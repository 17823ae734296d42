/**
 * The layers' imports: core/ imports no other layer, isa/ only core/, devices/ no plugins/.
 * Every relative import of every .ts file under each layer is resolved and checked.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The top-level folders `file` imports from (relative imports only). */
function importedLayers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']*)'/g)].map((m) => m[1]);
  return specs.map((s) => path.relative(ROOT, path.resolve(path.dirname(file), s)).split(path.sep)[0]);
}

const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  isa: ['isa', 'core'],
  devices: ['devices', 'isa', 'core'],
};

describe('layers', () => {
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    it(`${layer}/ imports only from ${allowed.join(', ')}`, () => {
      const bad = tsFiles(path.join(ROOT, layer)).flatMap((f) =>
        importedLayers(f)
          .filter((l) => !allowed.includes(l))
          .map((l) => `${path.relative(ROOT, f)} -> ${l}/`),
      );
      expect(bad).toEqual([]);
    });
  }
});
