export * from './cli';
export * from './core-commands';
export * from './run-output';
export * from './status-line';
