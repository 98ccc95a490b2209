export { startQuickstart, QuickstartError, type Quickstart, type QuickstartOptions } from './quickstart';
export { loadQuickstartSettings, BUNDLED_DATA_FILE, DEFAULT_STATE_DIR, DEFAULT_SPEED, type QuickstartSettings } from './settings';
export { RunSummary, formatProgress, formatFinal, type SummarySnapshot } from './summary';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
export { API_KEY_FILE } from './api-key';
