export * from './messages';
export * from './catalog';
export * from './schemas';
export * from './decode';
