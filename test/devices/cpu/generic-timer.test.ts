/**
 * The generic timer's registers as the Arm ARM defines them (D11.2): TVAL a signed 32-bit view
 * of CVAL - count, ISTATUS set whenever enabled and met (IMASK only gates the output), the
 * virtual count offset by CNTVOFF, and the deadline a waiting VCPU sleeps until.
 */
import { CTL_ENABLE, CTL_IMASK, CTL_ISTATUS, GenericTimer, UnwiredIrqLine } from '../../../index';

function timer(): { t: GenericTimer; now: { v: bigint }; virt: UnwiredIrqLine; phys: UnwiredIrqLine } {
  const now = { v: 1000n };
  const virt = new UnwiredIrqLine();
  const phys = new UnwiredIrqLine();
  return { t: new GenericTimer(() => now.v, { virt, phys }), now, virt, phys };
}

describe('generic timer', () => {
  it('TVAL writes set CVAL = count + sign-extended TVAL; reads give CVAL - count in 32 bits', () => {
    const { t, now } = timer();
    t.writeTval('virt', 500);
    expect(t.readCval('virt')).toBe(1500n);
    now.v = 1600n;
    expect(t.readTval('virt')).toBe(0xffff_ff9c); // -100
    t.writeTval('virt', 0xffff_ff00); // -256
    expect(t.readCval('virt')).toBe(1344n);
  });

  it('ISTATUS whenever enabled and met; the output only when unmasked too', () => {
    const { t, now, virt } = timer();
    t.writeCval('virt', 2000n);
    t.writeCtl('virt', CTL_ENABLE | CTL_IMASK);
    now.v = 2000n;
    t.refresh();
    expect(t.readCtl('virt')).toBe(CTL_ENABLE | CTL_IMASK | CTL_ISTATUS);
    expect(virt.level).toBe(false);
    t.writeCtl('virt', CTL_ENABLE);
    expect(virt.level).toBe(true);
    t.writeCtl('virt', 0);
    expect(t.readCtl('virt')).toBe(0); // disabled: no ISTATUS
    expect(virt.level).toBe(false);
  });

  it('counts the virtual timer from CNTVOFF; the next deadline is in physical count', () => {
    const { t, now, phys } = timer();
    t.cntvoff = 400n;
    expect(t.count('virt')).toBe(600n);
    t.writeCval('virt', 700n); // physical 1100
    t.writeCval('phys', 1050n);
    t.writeCtl('virt', CTL_ENABLE);
    expect(t.nextDeadline()).toBe(1100n);
    t.writeCtl('phys', CTL_ENABLE);
    expect(t.nextDeadline()).toBe(1050n);
    now.v = 1050n;
    t.refresh();
    expect(phys.level).toBe(true);
    expect(t.nextDeadline()).toBe(1100n); // the physical one has fired
    t.writeCtl('virt', CTL_ENABLE | CTL_IMASK);
    expect(t.nextDeadline()).toBeUndefined();
  });
});
