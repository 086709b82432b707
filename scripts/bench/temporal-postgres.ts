/**
 * Scenario 7's server: Temporal built from go.temporal.io/server (the version the CLI's dev server
 * embeds), all four services in one process, its history and visibility stores in the local
 * Postgres instead of the dev server's SQLite. `npm run bench -- --temporal=postgres`.
 *
 * Builds `server` and `sql` (the schema tool) with `go install` into the roombook cache once,
 * recreates two databases (<bench database>_temporal and _temporal_visibility), writes a config next to the
 * bench's logs, starts the server on free ports, then registers the namespace and the booking
 * search attributes with the CLI and waits until both are usable.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { BENCH_DIR, progress, ROOT, spawnManaged, tcpOpen, temporalCliModule, waitFor, type Managed } from './stack';

/** The server the CLI v1.5.1 embeds (its dev server reports 1.29.1), so both runs compare stores, not versions. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const PACKAGES = ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql'];
const NAMESPACE = 'default';
/** More than the dev server's one shard: history work spreads over connections and goroutines. */
const HISTORY_SHARDS = 4;

async function ensureServerBinaries(): Promise<{ server: string; sqlTool: string }> {
  const cli = await temporalCliModule();
  const dir = join(cli.temporalCacheDir(), '..', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const server = join(dir, 'server');
  const sqlTool = join(dir, 'sql');
  if (existsSync(server) && existsSync(sqlTool)) return { server, sqlTool };
  const go = cli.findGo();
  if (!go) throw new Error('Scenario 7 builds the Temporal server from source and needs Go (https://go.dev/doc/install); or run the bench without --temporal=postgres.');
  mkdirSync(dir, { recursive: true });
  progress(`building the Temporal server ${TEMPORAL_SERVER_VERSION} and its schema tool with Go into ${dir} (once; a first build takes several minutes)`);
  await cli.goInstall(go, dir, PACKAGES.map((p) => `${p}@${TEMPORAL_SERVER_VERSION}`), progress, 'or run the bench without --temporal=postgres');
  return { server, sqlTool };
}

/** Drops and recreates `name`, then brings it to the newest schema of `schemaName`. */
async function freshTemporalDatabase(sqlTool: string, adminUrl: URL, name: string, schemaName: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const connection = [
    '--plugin', 'postgres12', '--ep', adminUrl.hostname, '--port', adminUrl.port || '5432',
    '--user', decodeURIComponent(adminUrl.username) || 'postgres', '--password', decodeURIComponent(adminUrl.password), '--db', name,
  ];
  for (const step of [['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', schemaName]]) {
    const run = spawnSync(sqlTool, [...connection, ...step], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`temporal sql tool ${step[0]} on ${name} failed:\n${run.stderr || run.stdout}`);
  }
}

/** The dev server's dynamic config that matters here, as a YAML file (the server reads no flags for it). */
function dynamicConfigYaml(values: string[]): string {
  const entries: Record<string, unknown> = {
    // As the dev server (CLI defaults and devserver.StartOptions), so the two differ in their store.
    'frontend.enableExecuteMultiOperation': true,
    'history.hostLevelCacheMaxSize': 8096,
    'frontend.namespaceRPS.visibility': 100,
    'frontend.persistenceMaxQPS': 10000,
    'history.persistenceMaxQPS': 45000,
    'limit.maxIDLength': 255,
  };
  for (const value of values) {
    const at = value.indexOf('=');
    const raw = value.slice(at + 1);
    entries[value.slice(0, at)] = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  return Object.entries(entries).map(([key, value]) => `${key}:\n  - value: ${JSON.stringify(value)}\n`).join('');
}

/**
 * A free port below 32768: the server records its services' ports in a smallint column
 * (cluster_membership), and the kernel hands out ephemeral ports from 32768 up.
 */
async function lowFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canListen(port)) return port;
  }
  throw new Error('No free port between 20000 and 32000 for the Temporal server.');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function startTemporalOnPostgres(
  cliPath: string,
  options: { databaseUrl: string; dynamicConfig?: string[] },
): Promise<{ address: string; managed: Managed }> {
  const { server, sqlTool } = await ensureServerBinaries();
  const adminUrl = new URL(options.databaseUrl);
  adminUrl.pathname = '/postgres';
  // Named after the bench's own database, so a test's run and a manual one never share them.
  const main = `${new URL(options.databaseUrl).pathname.slice(1)}_temporal`;
  const visibility = `${main}_visibility`;
  progress(`fresh Temporal databases ${main} and ${visibility} (schema tool)`);
  await freshTemporalDatabase(sqlTool, adminUrl, main, 'postgresql/v12/temporal');
  await freshTemporalDatabase(sqlTool, adminUrl, visibility, 'postgresql/v12/visibility');

  const ports: number[] = [];
  while (ports.length < 10) {
    const port = await lowFreePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [frontend, frontendHttp, frontendMembership, history, historyMembership, matching, matchingMembership, worker, workerMembership, metrics] = ports;
  const store = (database: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${adminUrl.hostname}:${adminUrl.port || '5432'}"
        connectProtocol: "tcp"
        user: "${decodeURIComponent(adminUrl.username) || 'postgres'}"
        password: "${decodeURIComponent(adminUrl.password)}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"
`;
  const service = (grpc: number, membership: number, http?: number) =>
    `    rpc:\n      grpcPort: ${grpc}\n      membershipPort: ${membership}\n      bindOnLocalHost: true\n${http ? `      httpPort: ${http}\n` : ''}`;
  const root = join(BENCH_DIR, 'temporal-postgres');
  mkdirSync(join(root, 'config'), { recursive: true });
  const { DEV_SERVER_DYNAMIC_CONFIG } = await temporalCliModule();
  writeFileSync(join(root, 'dynamicconfig.yaml'), dynamicConfigYaml([...DEV_SERVER_DYNAMIC_CONFIG, ...(options.dynamicConfig ?? [])]));
  writeFileSync(
    join(root, 'config', 'development.yaml'),
    `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${HISTORY_SHARDS}
  datastores:
    postgres-default:
${store(main, 20)}    postgres-visibility:
${store(visibility, 4)}global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${metrics}"
services:
  frontend:
${service(frontend, frontendMembership, frontendHttp)}  history:
${service(history, historyMembership)}  matching:
${service(matching, matchingMembership)}  worker:
${service(worker, workerMembership)}clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${frontend}"
      httpAddress: "127.0.0.1:${frontendHttp}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${join(root, 'dynamicconfig.yaml')}"
  pollInterval: "60s"
`,
  );

  const managed = spawnManaged('temporal', server, ['--root', root, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], process.env);
  await waitFor('the Temporal server on Postgres', () => tcpOpen(frontend), 90);
  const address = `127.0.0.1:${frontend}`;
  const cli = (args: string[]) => spawnSync(cliPath, [...args, '--address', address], { encoding: 'utf8' });

  progress(`Temporal server on Postgres at ${address}: registering namespace "${NAMESPACE}" and the search attributes`);
  await waitFor(`namespace "${NAMESPACE}" on the Temporal server`, async () => {
    if (cli(['operator', 'namespace', 'describe', '--namespace', NAMESPACE]).status === 0) return true;
    cli(['operator', 'namespace', 'create', '--namespace', NAMESPACE, '--retention', '24h']);
    return false;
  }, 90);
  const searchAttributes = JSON.parse(readFileSync(join(ROOT, 'src/shared/search-attributes.json'), 'utf8')) as Record<string, string>;
  // A new namespace reaches the frontend's cache some seconds later; until then creating fails.
  for (const [name, type] of Object.entries(searchAttributes)) {
    let lastAnswer = '';
    await waitFor(`search attribute ${name}`, async () => {
      const created = cli(['operator', 'search-attribute', 'create', '--namespace', NAMESPACE, '--name', name, '--type', type]);
      lastAnswer = created.stderr.trim();
      return created.status === 0 || /already exists/i.test(created.stderr);
    }, 60).catch((err: Error) => {
      throw new Error(`${err.message}; the server's last answer: ${lastAnswer}`);
    });
  }
  await waitFor('the search attributes in the frontend', async () => {
    const listed = cli(['operator', 'search-attribute', 'list', '--namespace', NAMESPACE, '--output', 'json']);
    return listed.status === 0 && Object.keys(searchAttributes).every((name) => listed.stdout.includes(`"${name}"`));
  }, 90);
  return { address, managed };
}
