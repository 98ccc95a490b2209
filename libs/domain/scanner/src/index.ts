export { createScanner, SCANNER_NAME, type ScannerDecider } from './scanner.decider';
export {
  defaultScannerConfig,
  resolveScannerConfig,
  SCANNER_STRATEGIES,
  type ScannerConfig,
  type ScannerConfigInput,
  type ScannerStrategy,
  type QualityWeights,
  type VolatilityBands,
} from './scanner.config';
export { sessionAt, sessionOfHour, sessionScore, volatilityScore, trendScore, qualityScore } from './scanner.quality';
export { StreamState, findStream, type ScannerState } from './scanner.state';
export { WilderSmoothing } from './scanner.smoothing';
