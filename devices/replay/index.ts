export * from './cachegrind-topology';
export * from './cli';
export * from './replay';
export * from './trace-format';
