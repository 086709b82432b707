// Debian's Chromium for the room display's browser test (driven by playwright-core, which
// downloads no browser of its own). Installed with apt-get the first time; later runs find it.
// Node builtins only. Run directly (`node scripts/lib/chromium.mjs`) or through ensureChromium().
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const run = (cmd, args, log) => {
  log(`$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
};

/**
 * Returns null when Chromium is there (or was just installed), else the reason it is not: the
 * caller decides whether that is fatal (the browser test fails with this reason, never skips).
 */
export function ensureChromium({ log = console.log } = {}) {
  if (existsSync(CHROMIUM_PATH)) return null;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (apt.status !== 0)
    return `${CHROMIUM_PATH} is missing and apt-get is not available: install Debian's chromium package by hand.`;
  const sudo = typeof process.getuid === 'function' && process.getuid() !== 0 ? ['sudo', '-n'] : [];
  const cmd = (args) =>
    sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args], log) : run('apt-get', args, log);
  log('Installing Chromium for the room display browser test (apt-get, once; a minute or two)...');
  // Waits for another apt run (another clone, a parallel test run) instead of failing on its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  if (cmd(['update', ...lock]).status !== 0) return 'apt-get update failed: see the output above.';
  if (cmd(['install', '-y', '--no-install-recommends', ...lock, 'chromium', 'fonts-dejavu-core']).status !== 0) {
    return 'apt-get install chromium failed: see the output above.';
  }
  return existsSync(CHROMIUM_PATH) ? null : `apt-get installed chromium but ${CHROMIUM_PATH} is still missing.`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problem = ensureChromium({ log: (msg) => console.log(`[roombook] ${msg}`) });
  if (problem) {
    console.error(`[roombook] ${problem}`);
    process.exit(1);
  }
  console.log(`[roombook] Chromium: ${CHROMIUM_PATH}`);
}
