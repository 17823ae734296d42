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
lib.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`kvmsim: internal error: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 70;
  },
);
