import { DEFAULTS, bootImage, defaultModules } from './index';
for (const f of process.argv.slice(2)) {
  const k = bootImage(f, { maxInsns: String(20_000_000) }, { modules: defaultModules(), defaults: DEFAULTS });
  console.log(f, k.ok, k.exit, k.detail?.slice(0, 400), k.uart.slice(-300));
}
