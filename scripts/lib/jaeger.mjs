// Finds or builds Jaeger (all-in-one: collector with OTLP, in-memory storage, UI) for
// `npm start -- --tracing`. Node builtins only, like temporal-cli.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findGo, runGo } from './temporal-cli.mjs';

export const JAEGER_VERSION = 'v1.76.0';
const PACKAGE = 'github.com/jaegertracing/jaeger/cmd/all-in-one';
/** Jaeger all-in-one's defaults: the UI, and OTLP over HTTP. */
export const JAEGER_UI_PORT = 16686;
export const JAEGER_OTLP_HTTP_PORT = 4318;

export function jaegerCacheDir() {
  const base =
    process.env.ROOMBOOK_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'roombook');
  return join(base, `jaeger-${JAEGER_VERSION}`);
}

const runs = (path) => spawnSync(path, ['version'], { encoding: 'utf8', timeout: 15000 }).status === 0;

/**
 * The cached binary, or a fresh build: Jaeger's go.mod has replace directives, which
 * `go install pkg@version` refuses, so a scratch module takes it as a tool (`go get -tool`) and
 * builds it from there. Returns the binary's path.
 */
export async function ensureJaeger({ log = console.log } = {}) {
  const dir = jaegerCacheDir();
  const binary = join(dir, 'jaeger-all-in-one');
  if (existsSync(binary) && runs(binary)) return binary;
  const go = findGo();
  if (!go)
    throw new Error(
      `--tracing needs Jaeger ${JAEGER_VERSION}, built once with Go: install Go (https://go.dev/doc/install), or run any OTLP collector and set OTEL_EXPORTER_OTLP_ENDPOINT instead.`,
    );
  const scratch = join(dir, 'build');
  mkdirSync(scratch, { recursive: true });
  if (!existsSync(join(scratch, 'go.mod')))
    writeFileSync(join(scratch, 'go.mod'), 'module roombook.local/jaeger-build\n\ngo 1.24\n');
  log(
    `Building Jaeger ${JAEGER_VERSION} with Go into ${dir} (once; later runs reuse it, a first build takes several minutes)...`,
  );
  const otherwise = 'or run any OTLP collector and set OTEL_EXPORTER_OTLP_ENDPOINT instead of --tracing';
  await runGo(go, ['get', '-tool', `${PACKAGE}@${JAEGER_VERSION}`], { cwd: scratch }, log, otherwise);
  await runGo(go, ['build', '-v', '-o', binary, PACKAGE], { cwd: scratch }, log, otherwise);
  if (!runs(binary)) throw new Error(`The Jaeger build finished but ${binary} does not run. See the output above.`);
  log(`Jaeger ready: ${binary}`);
  return binary;
}
