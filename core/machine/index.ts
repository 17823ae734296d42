export * from './contribution';
export * from './expect';
export * from './machine';
export * from './plugin-host';
export * from './scenario';
export * from './token-shape';
