// Finds or builds the Temporal CLI (which carries the dev server). Node builtins only: this runs
// before npm packages are installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { forEachOutputLine } from './child-output.mjs';

// v1.5.1 is the newest tag that plain `go install` accepts (later tags carry a replace directive).
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';

/**
 * Dynamic config for the single-process dev server that `npm start` and the bench run, measured
 * with `npm run bench` (docs/performance.md):
 * - one task-queue partition instead of four, which one process would only forward tasks between:
 *   the ceiling at 8+ callers went from 35–63/s with multi-second p99 tails to 78–99/s, holds
 *   through the API +20–50%;
 * - the search-attribute cache kept for its usual minute: the CLI's default re-reads the cluster
 *   metadata from SQLite, under a lock, on every read of the search attributes (every start and
 *   upsert of a booking's); about a tenth of a hold's CPU. Ours are registered by the
 *   `--search-attribute` flags before the server answers, so none is ever missing from the cache.
 */
export const DEV_SERVER_DYNAMIC_CONFIG = [
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
  'system.forceSearchAttributesCacheRefreshOnRead=false',
];

/** Outside the clone, so a second clone, CI and the next run reuse one build. */
export function temporalCacheDir() {
  const base =
    process.env.ROOMBOOK_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'roombook');
  return join(base, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function onPath(cmd) {
  const found = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

function runsAsTemporal(path) {
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15000 });
  return probe.status === 0 && /temporal/i.test(probe.stdout);
}

/**
 * Resolves the CLI in this order: TEMPORAL_CLI_PATH, a `temporal` on PATH, the cached build, a
 * fresh `go install` into the cache. Returns the absolute path of the binary.
 */
export async function ensureTemporalCli({ log = console.log } = {}) {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!runsAsTemporal(explicit))
      throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not a working Temporal CLI binary.`);
    return explicit;
  }
  const fromPath = onPath('temporal');
  if (fromPath && runsAsTemporal(fromPath)) return fromPath;

  const dir = temporalCacheDir();
  const cached = join(dir, 'temporal');
  if (existsSync(cached) && runsAsTemporal(cached)) return cached;

  const go = findGo();
  if (!go) {
    throw new Error(
      [
        'The Temporal CLI is not installed and Go is not available to build it.',
        'Any one of these fixes it:',
        `  - install Go (https://go.dev/doc/install), then run this command again: it builds ${MODULE}@${TEMPORAL_CLI_VERSION}`,
        '  - put a `temporal` binary on PATH (brew install temporal, or a release archive from github.com/temporalio/cli)',
        '  - set TEMPORAL_CLI_PATH to an existing Temporal CLI binary',
        '  - or point TEMPORAL_ADDRESS at a Temporal server that is already running',
      ].join('\n'),
    );
  }
  mkdirSync(dir, { recursive: true });
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (once; later runs reuse it, a first build takes a few minutes)...`,
  );
  await goInstall(go, dir, [`${MODULE}@${TEMPORAL_CLI_VERSION}`], log, 'or set TEMPORAL_CLI_PATH to a prebuilt binary');
  if (!runsAsTemporal(cached)) throw new Error(`go install finished but ${cached} does not run. See the output above.`);
  log(`Temporal CLI ready: ${cached}`);
  return cached;
}

/** The go command, on PATH or where the official archive puts it; null without Go. */
export function findGo() {
  return onPath('go') || (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

/**
 * `go install` of `packages` (each `path@version`) into `dir`, printing progress every 10 s.
 * `otherwise` ends the error message: what the user can do instead.
 */
export function goInstall(go, dir, packages, log, otherwise) {
  return runGo(go, ['install', '-v', ...packages], { env: { GOBIN: dir } }, log, otherwise);
}

/**
 * Runs one `go` command (`args`), printing progress every 10 s; `options.cwd` and `options.env`
 * (added to the environment) as needed. `otherwise` ends the error message.
 */
export function runGo(go, args, options, log, otherwise) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(go, args, {
      cwd: options.cwd,
      env: { ...process.env, GOFLAGS: process.env.GOFLAGS || '-mod=mod', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let downloaded = 0;
    let compiled = 0;
    let tail = [];
    const onLine = (line) => {
      if (!line.trim()) return;
      tail = [...tail.slice(-30), line];
      if (line.startsWith('go: downloading')) downloaded += 1;
      else compiled += 1;
    };
    forEachOutputLine(child, onLine);
    const ticker = setInterval(() => {
      const secs = Math.round((Date.now() - started) / 1000);
      log(`  ... ${secs}s: ${downloaded} modules downloaded, ${compiled} packages compiled`);
    }, 10000);
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) return resolve();
      reject(
        new Error(
          `go ${args.join(' ')} failed (exit ${code}). Last lines:\n${tail.join('\n')}\n` +
            `Check that the Go module proxy is reachable (go env GOPROXY), ${otherwise}.`,
        ),
      );
    });
  });
}
