import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { dropDatabase } from '../../src/db/data-source';

const root = join(__dirname, '..', '..');

describe('npm run seed', () => {
  // A database of its own: the demo rooms must not show up in other tests' listings.
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/roombook_seed_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  afterAll(async () => {
    await dropDatabase(databaseUrl);
  });

  const seed = (...args: string[]) =>
    spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['scripts/seed.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
      timeout: 120000,
    });

  async function counts(): Promise<{ rooms: number; users: number }> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT (SELECT count(*)::int FROM rooms) AS rooms, (SELECT count(*)::int FROM users) AS users',
      );
      return rows[0];
    } finally {
      await client.end();
    }
  }

  test('when the seed runs on an empty database and again, then it creates the demo data once and says what it did', async () => {
    const first = seed('--if-empty');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('[seed] done: 14 of 14 rooms created');
    expect(await counts()).toEqual({ rooms: 14, users: 5 });

    const skipped = seed('--if-empty');
    expect(skipped.stdout).toContain('already has 14 rooms: not seeding');
    const again = seed();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('[seed] done: 0 of 14 rooms created');
    expect(await counts()).toEqual({ rooms: 14, users: 5 });
  });
});
