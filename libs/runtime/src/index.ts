export * from './bus';
export * from './event-log';
export * from './performance';
export * from './pipeline';
export * from './stage-stats';
export * from './backtest';
export * from './run-log';
export * from './explain';
