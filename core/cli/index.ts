export * from './cli';
export * from './core-commands';
export * from './output-file';
export * from './run-output';
export * from './status-line';
export * from './watchdog';
