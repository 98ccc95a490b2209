/**
 * The deployment files (deploy/, k8s/) against the code they deploy: the services, their
 * ports, their configuration validation, their metrics and their runtime dependencies. A
 * service, port, variable or metric renamed in the code fails here instead of in a cluster.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_PORTS, loadServiceEnv, pipelineConfigFromEnv, type ServiceName } from '@tradeloop/nest-service';
import { ServiceMetrics } from '@tradeloop/service';
import { appRoleGrantStatements } from '@tradeloop/persistence';
import { FeedMetrics } from '../../apps/market-data/src/feed-metrics';
import { APP_ROLE, GATEWAY_SETTINGS, MIGRATE_ARGS, MIGRATE_JOB, OUTPUT, PIPELINE_CONFIG as PIPELINE_CONFIG_NAME, PIPELINE_SETTINGS, renderK8s, SECRET, SERVICES, usesDatabase } from '../../tools/k8s-manifests';
import { buildProgram } from '../../apps/cli/src/main';

const REPO = resolve(__dirname, '../..');
const read = (p: string): string => readFileSync(resolve(REPO, p), 'utf8');
const ALL = Object.keys(DEFAULT_PORTS).sort() as ServiceName[];

type Obj = Record<string, any>;

describe('k8s', () => {
  const docs: Obj[] = parseAllDocuments(read('k8s/tradeloop.yaml')).map((d) => d.toJS() as Obj);
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  const secret = parse(read('k8s/secret.example.yaml')) as Obj;
  const configMaps = new Map<string, Record<string, string>>(of('ConfigMap').map((c) => [c.metadata.name, c.data]));

  /** What a pod of the Deployment sees: its config maps, then its own env, secrets from the example Secret. */
  function podEnv(dep: Obj): Record<string, string> {
    const c = dep.spec.template.spec.containers[0];
    const env: Record<string, string> = {};
    for (const from of c.envFrom ?? []) Object.assign(env, configMaps.get(from.configMapRef.name) ?? fail(`no ConfigMap ${from.configMapRef.name}`));
    for (const e of c.env) {
      if (e.value !== undefined) env[e.name] = e.value;
      else {
        const ref = e.valueFrom.secretKeyRef;
        expect(ref.name).toBe(SECRET);
        const v = secret.stringData[ref.key];
        if (v === undefined && !ref.optional) fail(`${dep.metadata.name} needs ${ref.key}, which k8s/secret.example.yaml does not show`);
        if (v !== undefined) env[e.name] = v;
      }
    }
    return env;
  }

  test('k8s_when_generated_from_the_code_then_the_committed_manifests_are_current', () => {
    expect(read('k8s/tradeloop.yaml')).toBe(renderK8s());
    expect(OUTPUT).toBe(resolve(REPO, 'k8s/tradeloop.yaml'));
    expect([...SERVICES].sort()).toEqual(ALL);
  });

  test('k8s_when_applied_then_every_service_runs_once_on_its_port_with_health_probes_and_a_scrape_annotation', () => {
    expect(of('Deployment').map((d) => d.metadata.name).sort()).toEqual(ALL);
    expect(of('Service').map((d) => d.metadata.name).sort()).toEqual(ALL);
    for (const dep of of('Deployment')) {
      const name = dep.metadata.name as ServiceName;
      const port = DEFAULT_PORTS[name];
      const pod = dep.spec.template;
      const c = pod.spec.containers[0];
      expect(dep.spec.replicas).toBe(1);
      // Never two consumers of one inbox, not even for the moments of a rolling update.
      expect(dep.spec.strategy.type).toBe(name === 'gateway' ? 'RollingUpdate' : 'Recreate');
      expect(dep.spec.selector.matchLabels).toEqual(pod.metadata.labels);
      expect(c.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.livenessProbe.tcpSocket).toEqual({ port: 'http' });
      expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      const svc = of('Service').find((s) => s.metadata.name === name)!;
      expect(svc.spec.selector).toEqual(pod.metadata.labels);
      expect(svc.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
    }
  });

  test('k8s_when_a_pod_starts_then_its_environment_passes_the_services_own_validation_and_all_share_one_pipeline', () => {
    const pipelines = new Set<string>();
    for (const dep of of('Deployment')) {
      const name = dep.metadata.name as ServiceName;
      const env = podEnv(dep);
      expect(env.TRADELOOP_SERVICE).toBe(name);
      const cfg = loadServiceEnv(env);
      expect(cfg.HTTP_PORT).toBe(DEFAULT_PORTS[name]);
      // Connection strings come from the Secret, and only services that use PostgreSQL get one:
      // the least-privilege role's, with the migrations left to the migrate Job.
      expect(env.NATS_URL).toBe(secret.stringData.NATS_URL);
      expect(env.DATABASE_URL !== undefined).toBe(usesDatabase(name));
      expect(env.DATABASE_OWNER_URL).toBeUndefined();
      if (usesDatabase(name)) expect([new URL(env.DATABASE_URL).username, cfg.DATABASE_MIGRATIONS]).toEqual([APP_ROLE, 'check']);
      pipelines.add(JSON.stringify(pipelineConfigFromEnv(cfg)));
    }
    expect(pipelines.size).toBe(1);
    const md = podEnv(of('Deployment').find((d) => d.metadata.name === 'market-data')!);
    for (const f of md.MARKET_DATA_FILES.split(',')) expect(existsSync(resolve(REPO, 'data', f))).toBe(true);
  });

  test('given_the_gateways_own_settings_when_its_pod_starts_then_the_gateway_reads_each_of_them', () => {
    const env = podEnv(of('Deployment').find((d) => d.metadata.name === 'gateway')!);
    const cfg = loadServiceEnv(env) as unknown as Record<string, unknown>;
    expect(Object.keys(GATEWAY_SETTINGS)).toEqual(['IDEMPOTENCY_KEY_TTL_MS']);
    for (const [name, value] of Object.entries(GATEWAY_SETTINGS)) {
      expect(env[name]).toBe(value);
      // A name ServiceEnv does not know would be ignored, not read: its value must come back.
      expect(String(cfg[name])).toBe(value);
    }
  });

  test('k8s_when_nats_and_postgres_are_installed_from_the_repo_then_they_match_what_the_services_expect', () => {
    // Streams replicated across the NATS cluster the Helm values install, with JetStream on disk.
    const nats = parse(read('k8s/nats-values.yaml')) as Obj;
    const replicas = Number(configMaps.get('tradeloop-pipeline')!.NATS_STREAM_REPLICAS);
    expect(replicas).toBe(3);
    expect(nats.config.cluster).toMatchObject({ enabled: true, replicas });
    expect(nats.config.jetstream).toMatchObject({ enabled: true, fileStore: { enabled: true, pvc: { enabled: true } }, merge: { sync_interval: 'always' } });
    expect(nats.container.image.tag).toMatch(/^2\.(1[0-9])\.\d+-alpine$/);
    expect(new URL(secret.stringData.NATS_URL).host).toBe('nats.nats.svc:4222');
    // The example URLs name the database, roles and service of k8s/postgres.yaml: the owner
    // (POSTGRES_USER) for the migrate Job, the role its init script creates for the services.
    const pg = parseAllDocuments(read('k8s/postgres.yaml')).map((d) => d.toJS() as Obj);
    const sts = pg.find((d) => d.kind === 'StatefulSet')!;
    const pod = sts.spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.filter((e: Obj) => e.value !== undefined).map((e: Obj) => [e.name, e.value]));
    const owner = new URL(secret.stringData.DATABASE_OWNER_URL);
    const app = new URL(secret.stringData.DATABASE_URL);
    const svc = pg.find((d) => d.kind === 'Service' && d.metadata.name === owner.hostname.split('.')[0])!;
    for (const url of [owner, app]) {
      expect(`${svc.metadata.name}.${svc.metadata.namespace}.svc:${svc.spec.ports[0].port}`).toBe(url.host);
      expect(url.pathname).toBe(`/${env.POSTGRES_DB}`);
    }
    expect([owner.username, app.username]).toEqual([env.POSTGRES_USER, APP_ROLE]);
    expect(env.TRADELOOP_APP_ROLE).toBe(APP_ROLE);
    // The init script is deploy/postgres/app-role.sh (tested against PostgreSQL in app-role-script.int.spec.ts),
    // executed by the image's entrypoint on the first start of an empty volume.
    const init = pg.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'postgres-init')!;
    expect(init.data).toEqual({ 'app-role.sh': read('deploy/postgres/app-role.sh') });
    expect(pod.volumes).toEqual([{ name: 'init', configMap: { name: 'postgres-init', defaultMode: 0o755 } }]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBeDefined();
  });

  test('k8s_when_applied_then_a_migrate_job_runs_tradeloop_migrate_as_the_owner_and_grants_the_role_the_services_connect_as', () => {
    const jobs = of('Job');
    expect(jobs.map((j) => j.metadata.name)).toEqual([MIGRATE_JOB]);
    const job = jobs[0];
    const pod = job.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    // The image's entrypoint runs the arguments (tested below: 'entrypoint_when_given_a_command…'),
    // and `tradeloop migrate` is a command of the CLI the image installs.
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual([...MIGRATE_ARGS]);
    expect(MIGRATE_ARGS.slice(0, 2)).toEqual(['npx', 'tradeloop']);
    expect(buildProgram({ out: () => undefined, err: () => undefined, isTty: false }).commands.map((cmd) => cmd.name())).toContain(MIGRATE_ARGS[2]);
    // As the owner (the Secret's DATABASE_OWNER_URL), granting the role of the services' DATABASE_URL.
    expect(c.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: SECRET, key: 'DATABASE_OWNER_URL' } } });
    const env = podEnv(job);
    expect(env.DATABASE_URL).toBe(secret.stringData.DATABASE_OWNER_URL);
    expect(env.DATABASE_APP_ROLE).toBe(new URL(secret.stringData.DATABASE_URL).username);
    expect(new URL(env.DATABASE_URL).username).not.toBe(env.DATABASE_APP_ROLE);
    // The schema the services use (the pipeline ConfigMap), and the services' hardening.
    expect(c.envFrom).toEqual([{ configMapRef: { name: PIPELINE_CONFIG_NAME } }]);
    const service = of('Deployment').find((d) => d.metadata.name === 'executor')!.spec.template.spec;
    expect(pod.securityContext).toEqual(service.securityContext);
    expect(c.securityContext).toEqual(service.containers[0].securityContext);
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    // Applied before the services (kubectl applies in file order).
    expect(docs.indexOf(job)).toBeLessThan(Math.min(...of('Deployment').map((d) => docs.indexOf(d))));
  });

  test('k8s_when_kustomized_then_it_applies_the_generated_manifests', () => {
    const k = parse(read('k8s/kustomization.yaml')) as Obj;
    expect(k.resources).toEqual(['tradeloop.yaml']);
    expect(k.images[0].name).toBe('tradeloop');
  });
});

describe('README', () => {
  test('readme_when_it_shows_the_least_privilege_grants_then_they_are_what_migrate_grant_app_role_runs', () => {
    // The SQL a DBA may apply by hand must not drift from the code's grant set.
    const sql = appRoleGrantStatements('public', APP_ROLE).join(';\n') + ';\n';
    expect(read('README.md')).toContain('```sql\n' + sql + '```');
  });
});

describe('docker compose', () => {
  const compose = parse(read('deploy/docker-compose.yml'), { merge: true }) as Obj;

  test('compose_when_parsed_then_every_service_runs_from_the_image_on_its_port_with_a_valid_configuration', () => {
    const services = compose.services as Record<string, Obj>;
    const tradeloop = Object.keys(services).filter((s) => services[s].environment?.TRADELOOP_SERVICE !== undefined);
    expect(tradeloop.sort()).toEqual(ALL);
    const pipelines = new Set<string>();
    for (const name of tradeloop as ServiceName[]) {
      const s = services[name];
      expect(s.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
      expect(s.environment.TRADELOOP_SERVICE).toBe(name);
      const cfg = loadServiceEnv(s.environment);
      expect(cfg.HTTP_PORT).toBe(DEFAULT_PORTS[name]);
      pipelines.add(JSON.stringify(pipelineConfigFromEnv(cfg)));
    }
    // Compose and Kubernetes deploy the same pipeline.
    expect([...pipelines]).toEqual([JSON.stringify(pipelineConfigFromEnv(loadServiceEnv({ ...PIPELINE_SETTINGS })))]);
    expect(existsSync(resolve(REPO, 'data', services['market-data'].environment.MARKET_DATA_FILES))).toBe(true);
  });

  test('compose_when_up_then_the_app_role_is_created_and_migrate_runs_as_the_owner_before_the_services_connect_as_that_role_with_check', () => {
    const services = compose.services as Record<string, Obj>;
    const roles = services['postgres-roles'];
    const migrate = services.migrate;
    // postgres-roles: deploy/postgres/app-role.sh against the postgres service, once it is healthy.
    expect(roles.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(roles.volumes).toEqual(['./postgres/app-role.sh:/app-role.sh:ro']);
    expect(roles.entrypoint).toEqual(['/bin/sh', '/app-role.sh']);
    expect(roles.restart).toBe('no');
    const role = roles.environment.TRADELOOP_APP_ROLE as string;
    expect(role).toBe(APP_ROLE);
    // migrate: the image, as the owner (the postgres service's superuser), granting that role.
    expect(migrate.depends_on).toEqual({ 'postgres-roles': { condition: 'service_completed_successfully' } });
    expect(migrate.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(migrate.command).toEqual([...MIGRATE_ARGS]);
    expect(migrate.restart).toBe('no');
    expect(migrate.environment.DATABASE_APP_ROLE).toBe(role);
    const owner = new URL(migrate.environment.DATABASE_URL);
    expect([owner.username, owner.password]).toEqual(['postgres', services.postgres.environment.POSTGRES_PASSWORD]);
    expect([roles.environment.PGUSER, roles.environment.PGPASSWORD, roles.environment.PGHOST]).toEqual([owner.username, owner.password, owner.hostname]);
    // Every service: after migrate succeeded, as the app role (its password the one the role was made with), checking only.
    for (const name of ALL) {
      const s = services[name];
      expect(s.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
      const url = new URL(s.environment.DATABASE_URL);
      expect([url.username, url.password, url.host, url.pathname]).toEqual([role, roles.environment.TRADELOOP_APP_PASSWORD, owner.host, owner.pathname]);
      expect(loadServiceEnv(s.environment).DATABASE_MIGRATIONS).toBe('check');
    }
  });

  test('given_the_gateways_own_settings_when_compose_starts_it_then_they_are_those_of_k8s_and_the_gateway_reads_them', () => {
    const env = (compose.services as Record<string, Obj>).gateway.environment as Record<string, string>;
    const cfg = loadServiceEnv(env) as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(GATEWAY_SETTINGS)) {
      expect(env[name]).toBe(value);
      expect(String(cfg[name])).toBe(value);
    }
  });

  test('compose_nats_when_configured_then_jetstream_fsyncs_every_write_on_a_pinned_server', () => {
    const nats = (compose.services as Record<string, Obj>).nats;
    expect(nats.image).toMatch(/^nats:2\.(1[0-9])\.\d+-alpine$/);
    expect(nats.command).toEqual(['-c', '/etc/nats/nats.conf']);
    expect(nats.volumes).toContain('./nats/nats.conf:/etc/nats/nats.conf:ro');
    const conf = read('deploy/nats/nats.conf');
    expect(conf).toMatch(/jetstream \{[^}]*store_dir: \/data[^}]*sync_interval: always[^}]*\}/s);
  });

  test('prometheus_when_parsed_then_it_scrapes_every_service_at_its_port', () => {
    const prom = parse(read('deploy/prometheus/prometheus.yml')) as Obj;
    const targets: string[] = prom.scrape_configs.flatMap((c: Obj) => c.static_configs.flatMap((s: Obj) => s.targets));
    expect(targets.sort()).toEqual(ALL.map((s) => `${s}:${DEFAULT_PORTS[s]}`).sort());
    expect(prom.rule_files).toEqual(['alerts.yml']);
  });

  test('dashboard_and_alerts_when_read_then_every_metric_they_query_is_one_the_services_export', async () => {
    const metrics = new ServiceMetrics('deploy-test', { defaultMetrics: true });
    new FeedMetrics(metrics); // the market-data service's own series, in the same registry
    const exported = new Set<string>(['up']);
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      exported.add(m.name);
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(m.name + s);
    }
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/tradeloop.json')) as Obj;
    const alerts = parse(read('deploy/prometheus/alerts.yml')) as Obj;
    const exprs: string[] = [
      ...dashboard.panels.flatMap((p: Obj) => p.targets.map((t: Obj) => t.expr)),
      ...alerts.groups.flatMap((g: Obj) => g.rules.map((r: Obj) => r.expr)),
    ];
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set(exprs.flatMap((e) => e.match(/\b(?:tradeloop|process|nodejs)_[a-z_]+\b/g) ?? []));
    expect([...used].filter((m) => !exported.has(m))).toEqual([]);
    expect(used.has('tradeloop_handle_seconds_bucket')).toBe(true);
    expect(parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')).datasources[0].uid).toBe(dashboard.panels[0].datasource.uid);
  });
});

describe('image', () => {
  test('entrypoint_when_the_service_is_unknown_then_it_exits_64_naming_the_choices_which_are_exactly_the_services', () => {
    const r = spawnSync(resolve(REPO, 'deploy/entrypoint.sh'), [], { env: { PATH: process.env.PATH, TRADELOOP_SERVICE: 'scaner' }, encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain("got 'scaner'");
    const listed = /SERVICES="([^"]+)"/.exec(read('deploy/entrypoint.sh'))![1].split(' ');
    expect([...listed].sort()).toEqual(ALL);
    for (const s of listed) expect(existsSync(resolve(REPO, `apps/${s}/src/main.ts`))).toBe(true);
  });

  test('entrypoint_when_given_a_command_then_it_runs_that_command_from_the_app_directory', () => {
    const r = spawnSync(resolve(REPO, 'deploy/entrypoint.sh'), ['node', '-e', 'process.stdout.write(process.cwd())'], { cwd: '/', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(REPO);
  });

  test('dockerfile_when_read_then_everything_it_copies_exists_and_it_installs_only_runtime_packages', () => {
    const docker = read('deploy/Dockerfile');
    const copies = [...docker.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(copies.length).toBeGreaterThan(5);
    for (const src of copies) expect(existsSync(resolve(REPO, src))).toBe(true);
    expect(docker).toMatch(/npm ci --omit=dev/);
    expect(docker).toMatch(/ENTRYPOINT \["\/app\/deploy\/entrypoint.sh"\]/);
    // On Kubernetes only /tmp is writable: every cache the processes write must be under it.
    expect(docker).toMatch(/SWC_NODE_CACHE_DIR=\/tmp\//);
    expect(docker).toMatch(/NPM_CONFIG_CACHE=\/tmp\//);
    // What the image leaves out must not be something it copies.
    const ignored = read('.dockerignore').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    for (const src of copies) expect(ignored).not.toContain(src);
  });

  test('runtime_packages_when_the_image_omits_dev_dependencies_then_every_package_the_services_import_is_a_dependency', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const isTestOnly = (f: string) => /\.(spec|perf)\.ts$|test-support|test-fixtures|\/samples\.ts$/.test(f);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (e === 'node_modules') continue;
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && p.includes('/src/') && !isTestOnly(p)) files.push(p);
      }
    };
    walk(resolve(REPO, 'apps'));
    walk(resolve(REPO, 'libs'));
    expect(files.length).toBeGreaterThan(100);
    const missing = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:from\s+|import\(|require\()'([^'.][^']*)'/g)) {
        const spec = m[1];
        if (spec.startsWith('node:') || spec.startsWith('@tradeloop/')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (builtins.has(name)) continue;
        if (pkg.dependencies[name] === undefined) missing.add(`${name} (${f.slice(REPO.length + 1)})`);
      }
    }
    expect([...missing]).toEqual([]);
    // The services run their TypeScript through this loader (deploy/entrypoint.sh).
    expect(pkg.dependencies['@swc-node/register']).toBeDefined();
    expect(pkg.dependencies['@swc/core']).toBeDefined();
  });
});
