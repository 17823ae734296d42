import { testMachine } from './machine';

/**
 * The two ways a guest sees stale data after the VMM rewrites its image, reproduced and then
 * removed with the maintenance KVM uses (cortex-a72-like: no IDC, no DIC).
 */
describe('stale observations and the CMOs that remove them', () => {
  const IMAGE = 0x4000;
  const OLD = Uint8Array.from([0x1f, 0x20, 0x03, 0xd5]); // NOP
  const NEW = Uint8Array.from([0x40, 0x05, 0x80, 0xd2]); // MOV X0, #42
  const word = (b: Uint8Array) => b[0] | (b[1] << 8) | (b[2] << 16) | ((b[3] << 24) >>> 0);

  it('a stale instruction fetch: no IC op with DIC=0; icache_inval_pou removes it', () => {
    const { ms } = testMachine({ topology: 'tiny', cpus: 2 });
    ms.writeBytes('host', 1, IMAGE, OLD, true);
    ms.dcacheCleanInvalPoc(IMAGE, 4, 1);
    expect(ms.fetch(0, IMAGE, true) >>> 0).toBe(word(OLD) >>> 0); // the guest ran the old image
    // The VMM writes the new image and KVM cleans the D-side to PoC, but invalidates no I-cache.
    ms.writeBytes('host', 1, IMAGE, NEW, true);
    ms.dcacheCleanInvalPoc(IMAGE, 4, 1);
    expect(ms.fetch(0, IMAGE, true) >>> 0).toBe(word(OLD) >>> 0);
    expect(ms.lastLevel).toBe('l1i');
    ms.icacheInvalPou(IMAGE, 4, 1);
    expect(ms.fetch(0, IMAGE, true) >>> 0).toBe(word(NEW) >>> 0);
  });

  it('the same with icache_inval_all_pou', () => {
    const { ms } = testMachine({ topology: 'cortex-a72', cpus: 2 });
    ms.fetch(0, IMAGE, true);
    ms.writeBytes('host', 1, IMAGE, NEW, true);
    ms.dcacheCleanInvalPoc(IMAGE, 4, 1);
    expect(ms.fetch(0, IMAGE, true)).toBe(0);
    ms.icacheInvalAllPou(1);
    expect(ms.fetch(0, IMAGE, true) >>> 0).toBe(word(NEW) >>> 0);
  });

  it('a stale non-cacheable read: no clean to PoC; dcache_clean_inval_poc removes it', () => {
    const { ms } = testMachine({ topology: 'tiny', cpus: 2 });
    ms.writeBytes('host', 1, IMAGE, NEW, true);
    // The guest boots with its MMU and caches off: its loads are non-cacheable.
    const got = new Uint8Array(4);
    ms.readBytes('vcpu', 0, IMAGE, got, false);
    expect(got).toEqual(new Uint8Array(4));
    expect(ms.lastLevel).toBe('memory');
    ms.dcacheCleanInvalPoc(IMAGE, 4, 1);
    ms.readBytes('vcpu', 0, IMAGE, got, false);
    expect(got).toEqual(NEW);
  });

  it('a clean to PoU is not enough for a non-cacheable read', () => {
    const { ms } = testMachine({ topology: 'tiny', cpus: 2 });
    ms.writeBytes('host', 1, IMAGE, NEW, true);
    ms.dcRange('DC CVAU', 1, IMAGE, 4);
    expect(ms.read('vcpu', 0, IMAGE, 4, false)).toBe(0);
    ms.dcRange('DC CVAC', 1, IMAGE, 4);
    expect(ms.read('vcpu', 0, IMAGE, 4, false) >>> 0).toBe(word(NEW) >>> 0);
  });
});
