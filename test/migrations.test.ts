import { createDataSource, migrate } from '../src/db/data-source';
import { migrations } from '../src/db/migrations';

describe('migrations', () => {
  test('when migrations run again on a migrated database, then nothing changes and nothing fails', async () => {
    const dataSource = await createDataSource(process.env.DATABASE_URL!, { poolSize: 4 }).initialize();
    try {
      const applied = await dataSource.query('SELECT name FROM schema_migrations ORDER BY id');
      expect(applied.map((r: { name: string }) => r.name)).toEqual(migrations.map((m) => new m().name));

      const [again, concurrently] = await Promise.all([migrate(dataSource), migrate(dataSource)]);
      expect(again).toEqual([]);
      expect(concurrently).toEqual([]);
      const after = await dataSource.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(after[0].n).toBe(migrations.length);
      const ext = await dataSource.query(
        "SELECT extname FROM pg_extension WHERE extname IN ('btree_gist', 'citext') ORDER BY extname",
      );
      expect(ext.map((r: { extname: string }) => r.extname)).toEqual(['btree_gist', 'citext']);
    } finally {
      await dataSource.destroy();
    }
  });
});
