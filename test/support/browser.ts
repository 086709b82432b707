import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
// The network is closed: without these Chromium waits on updates, sync and QUIC probes.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium from Debian, installed by the project's own script when missing; a clear failure otherwise, never a skip. */
function requireChromium(test: string): void {
  if (existsSync(CHROMIUM)) return;
  const result = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'lib', 'chromium.mjs')], {
    stdio: 'inherit',
  });
  if (result.status !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(
      `${test} needs Debian's Chromium at ${CHROMIUM}; installing it with apt-get failed (see the output above).`,
    );
  }
}

/** A browser for one suite: close it in afterAll (which also removes its profile). */
export interface TestBrowser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Headless Chromium in a fresh profile of its own. `test` names the browser test in the failure
 * when Chromium cannot be installed.
 */
export async function launchChromium(
  test: string,
  options: { viewport: { width: number; height: number }; timezoneId?: string },
): Promise<TestBrowser> {
  requireChromium(test);
  const profile = mkdtempSync(join(tmpdir(), 'roombook-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  try {
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      ...options,
    });
    return {
      newPage: () => browser.newPage(),
      close: async () => {
        await browser.close();
        removeProfile();
      },
    };
  } catch (err) {
    removeProfile();
    throw err;
  }
}
