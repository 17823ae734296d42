export * from './gic-state';
export * from './gicv2';
export * from './gicv3';
