/**
 * The Kubernetes manifests of a Tradeloop deployment, built from the services' own definitions
 * (names, ports, which of them use PostgreSQL) so the manifests cannot drift from the code:
 *
 *   npm run k8s:generate           writes k8s/tradeloop.yaml
 *   npm run k8s:generate -- --check   exits 1 when the committed file is not what the code gives
 *
 * test/deploy/deploy.unit.spec.ts checks the committed file and what it says (probes, strategies,
 * configuration accepted by the services' own validation).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_PORTS, writesReadModels, type ServiceName } from '@tradeloop/nest-service';

export const NAMESPACE = 'tradeloop';
export const IMAGE = 'tradeloop:0.1.0';
/** The Secret users create (k8s/secret.example.yaml): connection strings may hold passwords. */
export const SECRET = 'tradeloop-secrets';
export const PIPELINE_CONFIG = 'tradeloop-pipeline';
export const MARKET_DATA_CONFIG = 'tradeloop-market-data';
export const OUTPUT = resolve(__dirname, '../k8s/tradeloop.yaml');
/**
 * The least-privilege role the services connect as (the user of the Secret's DATABASE_URL): the
 * migrate Job, connecting as the tables' owner (DATABASE_OWNER_URL), grants it exactly the
 * services' privileges. The services only check the schema (DATABASE_MIGRATIONS=check).
 */
export const APP_ROLE = 'tradeloop_app';
export const MIGRATE_JOB = 'migrate';
/** What the Job runs: the image's entrypoint runs its arguments (deploy/entrypoint.sh). */
export const MIGRATE_ARGS: readonly string[] = ['npx', 'tradeloop', 'migrate'];

/** Every service of a deployment, in the order the manifests list them (the feed last). */
export const SERVICES: readonly ServiceName[] = ['gateway', 'scanner', 'rl-decision', 'risk', 'governor', 'executor', 'notifier', 'learning', 'market-data'];

/**
 * One configuration for the whole pipeline (DESIGN: the services of one deployment are one
 * decider pipeline split across processes, so they must agree on mode, risk, cash, fees, seed).
 * Values are what ServiceEnv validates; see the README's configuration table.
 */
export const PIPELINE_SETTINGS: Readonly<Record<string, string>> = {
  ACCOUNT: 'paper',
  EXECUTION_MODE: 'quality_based',
  QUALITY_THRESHOLD: '70',
  // Event time: market-data replays the bundled file at 60×, so a minute of wall time to answer an approval.
  APPROVAL_TTL_MS: '3600000',
  AUTO_EXECUTE: 'true',
  RISK_PER_TRADE: '0.01',
  STARTING_CASH: '100000',
  ACCOUNT_CURRENCY: 'USD',
  FEE_BPS: '0',
  SLIPPAGE_BPS: '0',
  SEED: '42',
  // The bundled feed replays recorded bars: timers run on their event time. A live venue feed
  // would use the wall clock.
  TIMER_CLOCK: 'event',
  LOG_LEVEL: 'info',
  NATS_NAMESPACE: '',
  // Every stream on all three servers of the NATS cluster (k8s/nats-values.yaml).
  NATS_STREAM_REPLICAS: '3',
};

/** The gateway's own settings (see the README's configuration table). */
export const GATEWAY_SETTINGS: Readonly<Record<string, string>> = {
  IDEMPOTENCY_KEY_TTL_MS: '86400000',
};

/** The market-data service replays the real data the image ships (data/, Apache-2.0). */
export const MARKET_DATA_SETTINGS: Readonly<Record<string, string>> = {
  MARKET_DATA_FILES: 'EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv',
  MARKET_DATA_SPEED: '60',
  MARKET_DATA_BAR_TIMESTAMP: 'open',
};

type Manifest = Record<string, unknown>;

function labels(service: ServiceName | typeof MIGRATE_JOB): Record<string, string> {
  return { 'app.kubernetes.io/name': 'tradeloop', 'app.kubernetes.io/component': service, 'app.kubernetes.io/part-of': 'tradeloop' };
}

/** Services that read or write PostgreSQL get DATABASE_URL; the others never see it. */
export function usesDatabase(service: ServiceName): boolean {
  return service === 'gateway' || writesReadModels(service);
}

const secretEnv = (name: string, optional = false, key = name): Manifest => ({ name, valueFrom: { secretKeyRef: { name: SECRET, key, ...(optional ? { optional: true } : {}) } } });

const POD_SECURITY = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

function deployment(service: ServiceName): Manifest {
  const port = DEFAULT_PORTS[service];
  const env: Manifest[] = [{ name: 'TRADELOOP_SERVICE', value: service }, { name: 'HTTP_PORT', value: String(port) }, secretEnv('NATS_URL')];
  // As the least-privilege role; the migrate Job has brought the schema to this release's latest.
  if (usesDatabase(service)) env.push(secretEnv('DATABASE_URL'), { name: 'DATABASE_MIGRATIONS', value: 'check' });
  if (service === 'notifier') env.push(secretEnv('NOTIFIER_WEBHOOK_URL', true));
  // The gateway's own setting: how long an Idempotency-Key is kept (wall time; the default, shown to be changed).
  if (service === 'gateway') env.push({ name: 'IDEMPOTENCY_KEY_TTL_MS', value: GATEWAY_SETTINGS.IDEMPOTENCY_KEY_TTL_MS });
  const envFrom: Manifest[] = [{ configMapRef: { name: PIPELINE_CONFIG } }];
  if (service === 'market-data') envFrom.push({ configMapRef: { name: MARKET_DATA_CONFIG } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: service, namespace: NAMESPACE, labels: labels(service) },
    spec: {
      // One process per inbox: a service's inbox is totally ordered and risk is the single
      // writer of an account's limits, so a second replica (or an old one overlapping a new one
      // during a rolling update) would break both. The gateway holds no state.
      replicas: 1,
      strategy: service === 'gateway' ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } : { type: 'Recreate' },
      selector: { matchLabels: labels(service) },
      template: {
        metadata: {
          labels: labels(service),
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          // SIGTERM stops a service after the message in hand is committed and acked.
          terminationGracePeriodSeconds: 30,
          securityContext: POD_SECURITY,
          containers: [
            {
              name: service,
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              env,
              envFrom,
              ports: [{ name: 'http', containerPort: port }],
              // Ready once NATS (and PostgreSQL) answer and the consumer runs; /health is 503 otherwise.
              readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
              // A restart replays the inbox up to the ack floor before serving: give it time.
              startupProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 },
              // Alive while the process serves HTTP; a NATS or PostgreSQL outage is not a reason
              // to restart (the service reconnects), so liveness does not ask /health.
              livenessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
              // No CPU limit: throttling adds latency to every hop; requests reserve the share.
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              securityContext: CONTAINER_SECURITY,
              // The TypeScript transform cache (SWC_NODE_CACHE_DIR) is the only thing written.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

/**
 * The migrations of a release, run once as the tables' owner, then the app role's privileges
 * granted (`tradeloop migrate`, DATABASE_APP_ROLE). Services that start before it has finished
 * refuse to start (the schema lacks migrations) and are restarted until it has. A Job's pod
 * cannot be changed: delete the finished Job before applying a new release (k8s/README.md).
 */
function migrationJob(): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: MIGRATE_JOB, namespace: NAMESPACE, labels: labels(MIGRATE_JOB) },
    spec: {
      // On a first install PostgreSQL may still be starting: retried with backoff.
      backoffLimit: 6,
      activeDeadlineSeconds: 900,
      template: {
        metadata: { labels: labels(MIGRATE_JOB) },
        spec: {
          restartPolicy: 'Never',
          securityContext: POD_SECURITY,
          containers: [
            {
              name: MIGRATE_JOB,
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: [...MIGRATE_ARGS],
              env: [secretEnv('DATABASE_URL', false, 'DATABASE_OWNER_URL'), { name: 'DATABASE_APP_ROLE', value: APP_ROLE }],
              // The services' ConfigMap: a DATABASE_SCHEMA patched into it is the Job's schema too.
              envFrom: [{ configMapRef: { name: PIPELINE_CONFIG } }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

function service(name: ServiceName): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE, labels: labels(name) },
    spec: { selector: labels(name), ports: [{ name: 'http', port: DEFAULT_PORTS[name], targetPort: 'http' }] },
  };
}

function configMap(name: string, data: Readonly<Record<string, string>>): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'tradeloop' } }, data: { ...data } };
}

/** Every object of the deployment, in apply order. */
export function k8sManifests(): Manifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'tradeloop' } } },
    configMap(PIPELINE_CONFIG, PIPELINE_SETTINGS),
    configMap(MARKET_DATA_CONFIG, MARKET_DATA_SETTINGS),
    migrationJob(),
    ...SERVICES.flatMap((s) => [deployment(s), service(s)]),
  ];
}

export function renderK8s(): string {
  const header = [
    '# Tradeloop on Kubernetes: every service, generated from the code by tools/k8s-manifests.ts',
    '# (npm run k8s:generate); do not edit by hand. Needs the Secret of k8s/secret.example.yaml',
    '# and NATS with JetStream plus PostgreSQL reachable from the cluster (k8s/README.md).',
  ].join('\n');
  return `${header}\n${k8sManifests()
    .map((m) => `---\n${stringify(m, { lineWidth: 0 })}`)
    .join('')}`;
}

if (require.main === module) {
  const text = renderK8s();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUTPUT, 'utf8');
    if (current !== text) {
      process.stderr.write(`${OUTPUT} is not what tools/k8s-manifests.ts generates: run npm run k8s:generate\n`);
      process.exit(1);
    }
    process.stdout.write(`${OUTPUT} is up to date\n`);
  } else {
    writeFileSync(OUTPUT, text);
    process.stdout.write(`wrote ${OUTPUT}\n`);
  }
}
