export * from './gic-state';
export * from './gicv2';
