#!/usr/bin/env node
'use strict';
let lib;
try {
  lib = require('../dist/index.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /dist[\\/]index\.js/.test(String(e.message))) {
    process.stderr.write('kvmsim: not built yet; run `npm ci` (or `npm run build`) first\n');
    process.exit(2);
  }
  throw e;
}
// `kvmsim plugins | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(process.exitCode || 0);
    throw e;
  });
}
// A plugin callback that never returns is stopped after --plugin-timeout (or $KVMSIM_PLUGIN_TIMEOUT).
let watchdog;
try {
  watchdog = lib.startWatchdog();
} catch (e) {
  process.stderr.write(`kvmsim: error: ${e && e.message ? e.message : e}\n`);
  process.exit(e && e.exitCode ? e.exitCode : 2);
}
lib.main(process.argv.slice(2)).then(
  (code) => {
    watchdog.dispose();
    process.exitCode = code;
  },
  (e) => {
    watchdog.dispose();
    process.stderr.write(`kvmsim: internal error: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 70;
  },
);
