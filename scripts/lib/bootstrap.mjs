// What `npm start`, `npm test` and `npm run bench` need before anything else: npm packages, the
// Temporal CLI, Postgres and Redis answering, and a current workflow bundle. Each step is skipped
// when already done, so a second run takes seconds. Node builtins only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTemporalCli } from './temporal-cli.mjs';
import { ensureDataServices } from './services.mjs';
import { ensureChromium } from './chromium.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const log = (msg) => console.log(`[roombook] ${msg}`);

function hashFiles(paths) {
  const hash = createHash('sha256');
  const walk = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const entry of readdirSync(p).sort()) walk(join(p, entry));
    } else {
      // The path relative to the tree: a clone or worktree elsewhere with the same files matches.
      hash.update(relative(ROOT, p));
      hash.update(readFileSync(p));
    }
  };
  paths.forEach((p) => walk(join(ROOT, p)));
  return hash.digest('hex');
}

export function ensureNpmPackages() {
  const stampFile = join(ROOT, 'node_modules', '.roombook-installed');
  const want = hashFiles(['package-lock.json', 'package.json']);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want) return;
  // npm ci, never npm install: it installs exactly the committed lockfile (which lists every
  // platform's optional binaries) and never rewrites it, so a fresh clone stays clean. A lockfile
  // that disagrees with package.json fails here instead of being silently re-resolved.
  log('Installing npm packages from package-lock.json (npm ci)...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(
      'npm ci failed: see the output above (is the npm registry reachable? after changing package.json, run npm install and commit package-lock.json).',
    );
  writeFileSync(stampFile, want);
}

export function ensureWorkflowBundle() {
  const out = join(ROOT, '.build', 'workflow-bundle.js');
  const stampFile = join(ROOT, '.build', 'workflow-bundle.hash');
  const want = hashFiles(['src/workflows', 'src/shared', 'package-lock.json']);
  // The plain bundle and the one with tracing interceptors (scripts/build-workflow-bundle.ts writes both).
  const tracing = join(ROOT, '.build', 'workflow-bundle-tracing.js');
  if (existsSync(out) && existsSync(tracing) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want)
    return out;
  log('Bundling workflow code (only when src/workflows or src/shared change)...');
  mkdirSync(dirname(out), { recursive: true });
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build-workflow-bundle.ts', out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('Bundling the workflow code failed: see the output above.');
  writeFileSync(stampFile, want);
  return out;
}

/**
 * Returns the path of the Temporal CLI, and the embedded Postgres when it had to start one.
 * `browser`: also Chromium, for the room display's browser test. `embeddedDataDir` (npm start):
 * where an embedded Postgres keeps its data when DATABASE_URL is unset and no Postgres can be had.
 */
export async function bootstrap({ env = process.env, browser = false, embeddedDataDir } = {}) {
  ensureNpmPackages();
  if (browser) {
    // Not fatal here: only the browser test needs it, and it fails with this reason.
    const problem = ensureChromium({ log });
    if (problem) log(`Warning: ${problem} The room display browser test will fail.`);
  }
  const temporalCli = await ensureTemporalCli({ log });
  const { embedded } = await ensureDataServices(env, log, { embeddedDataDir });
  ensureWorkflowBundle();
  return { temporalCli, embeddedPostgres: embedded };
}
