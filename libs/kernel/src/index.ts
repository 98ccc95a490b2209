export * from './envelope';
export * from './decider';
export * from './ids';
export * from './prng';
export * from './money';
export * from './instruments';
export * from './time';
export * from './result';
