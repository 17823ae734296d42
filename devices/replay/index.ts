export * from './cachegrind-sim';
export * from './cli';
export * from './replay';
export * from './trace-format';
