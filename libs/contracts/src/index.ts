export * from './messages';
export * from './catalog';
export * from './schemas';
export * from './decode';
export * from './market-data.validate';
