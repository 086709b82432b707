import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ESLint runs as its own process: its config loader needs dynamic import, which jest's VM lacks.
const root = join(__dirname, '..');
const eslintBin = join(root, 'node_modules', '.bin', 'eslint');

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; severity: number; line: number; message: string }[];
}

function eslint(args: string[], input?: string): LintResult[] {
  const run = spawnSync(eslintBin, ['--format', 'json', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 120000,
  });
  if (!run.stdout) throw new Error(`eslint printed nothing (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as LintResult[];
}

/** Lints the folders and expects at least one file and no errors in any. */
function expectNoLintErrors(folders: string[]): void {
  const results = eslint(folders);
  const errors = results.flatMap((r) =>
    r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line} ${m.message}`),
  );
  expect(results.length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
}

/** Lints `code` as if it were the file `filename`. */
function lintText(filename: string, code: string): LintResult {
  // The text is in no TypeScript project, so type-aware rules are off for it.
  const [result] = eslint(
    [
      '--stdin',
      '--stdin-filename',
      filename,
      '--parser-options',
      'projectService:false',
      '--rule',
      '@typescript-eslint/no-floating-promises: off',
      '--rule',
      '@typescript-eslint/no-misused-promises: off',
    ],
    code,
  );
  return result;
}

describe('the workflow sandbox lint rule', () => {
  test('when the workflow and shared code is linted, then it has no errors', () => {
    expectNoLintErrors(['src/workflows', 'src/shared']);
  });

  test('when workflow code imports I/O or reads the clock, then the rule reports each', () => {
    const code = [
      "import { Pool } from 'pg';",
      "import { createDataSource } from '../db/data-source';",
      "import type { Config } from '../config';",
      "import { sleep } from '@temporalio/workflow';",
      'export async function leaky(c: Config) { await sleep(1); return [Pool, createDataSource, c, Date.now(), Math.random(), process.env.X]; }',
    ].join('\n');
    const result = lintText('src/workflows/leaky.ts', code);
    const reported = result.messages.map((m) => `${m.line}:${m.ruleId}`);
    expect(reported).toEqual(expect.arrayContaining(['1:no-restricted-imports', '2:no-restricted-imports']));
    expect(reported.filter((r) => r === '5:no-restricted-syntax')).toHaveLength(3);
    expect(reported).not.toContain('3:no-restricted-imports');
  });
});

describe('the pure domain lint rule', () => {
  test('when the domain is linted, then it has no errors', () => {
    expectNoLintErrors(['src/domain']);
  });

  test('when domain code imports an I/O library or an I/O layer, then the rule reports each', () => {
    const code = [
      "import { DataSource } from 'typeorm';",
      "import { Redis } from 'ioredis';",
      "import { Client } from '@temporalio/client';",
      "import nodemailer from 'nodemailer';",
      "import { selectRows } from '../db/queryable';",
      "import { logger } from '../infra/logger';",
      "import { principalOf } from '../api/auth/access';",
      "import { createBookingActivities } from '../activities/bookings';",
      "import { notFound } from './errors';",
      "import type { BookingStatus } from '../shared/booking';",
      'export const leaky = (s: BookingStatus) => [DataSource, Redis, Client, nodemailer, selectRows, logger, principalOf, createBookingActivities, notFound, s];',
    ].join('\n');
    const result = lintText('src/domain/leaky.ts', code);
    const restricted = result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line);
    expect(restricted).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('the formatter', () => {
  test('when the tree is checked with Prettier, then every file it formats is formatted', () => {
    const run = spawnSync(join(root, 'node_modules', '.bin', 'prettier'), ['--check', '.'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120000,
    });
    // On failure Prettier names each unformatted file; `npm run format` fixes them.
    expect({ status: run.status, unformatted: run.stderr.trim() }).toEqual({ status: 0, unformatted: '' });
  });
});

describe('the declared dependencies', () => {
  const knip = (cwd: string) =>
    spawnSync(join(root, 'node_modules', '.bin', 'knip'), ['--dependencies', '--no-progress'], {
      cwd,
      encoding: 'utf8',
      timeout: 120000,
    });

  test('when the imports of src/, scripts/ and test/ are checked with knip, then every package is declared and every declared one is used', () => {
    const run = knip(root);
    // On failure knip names each undeclared or unused package and the file or manifest line.
    expect({ status: run.status, report: run.stdout.trim() }).toEqual({ status: 0, report: '' });
  });

  test('when a project imports a package it does not declare and declares one it does not use, then knip names both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roombook-knip-'));
    try {
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'probe', version: '1.0.0', main: 'index.js', dependencies: { 'left-pad': '1.3.0' } }),
      );
      writeFileSync(join(dir, 'index.js'), "require('right-pad');\n");
      const run = knip(dir);
      expect(run.status).not.toBe(0);
      expect(run.stdout).toMatch(/Unused dependencies \(1\)\s+left-pad/);
      expect(run.stdout).toMatch(/Unlisted dependencies \(1\)\s+right-pad/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
