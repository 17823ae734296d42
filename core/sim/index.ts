export * from './clock';
export * from './rng';
export * from './stats';
export * from './trace';
export * from './interrupt';
