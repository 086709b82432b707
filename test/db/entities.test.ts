import { DataSource, EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { AmenitySchema, entities, RoomSchema } from '../../src/entities';

/**
 * Migrated indexes TypeORM's entity metadata cannot describe, by name. The schema builder sees
 * each of them as an index no entity declares and would drop it; nothing else may differ.
 */
const INEXPRESSIBLE_INDEXES = [
  // An expression index (building, lower(name)): TypeORM indexes name columns only.
  'rooms_building_name',
  // A GIN index over the amenities array: TypeORM has no index method for Postgres.
  'rooms_amenities',
  // DESC / NULLS LAST key order: TypeORM has no per-column index order.
  'rooms_capacity_rating',
  'reviews_room_recent',
  'reviews_room_helpful',
  // A partial GiST index over an expression (room, tstzrange(start, end)): the insights' range joins.
  'bookings_room_counted_span',
];

/** The statements a synchronize would run to make the database match the entities. */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query).sort();
}

const dropIndex = (name: string) => `DROP INDEX "public"."${name}"`;

describe('entity schemas', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await createDataSource(process.env.DATABASE_URL!, { poolSize: 2 }).initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  test('when every migrated table is listed, then each has exactly one entity schema', async () => {
    const tables: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'
       ORDER BY table_name`,
    );
    const entityTables = dataSource.entityMetadatas.map((m) => m.tableName).sort();
    expect(entityTables).toEqual(tables.map((t) => t.table_name));
    expect(entityTables).toHaveLength(entities.length);
  });

  test('when TypeORM compares the entities with the migrated schema, then only the listed indexes differ', async () => {
    expect(await pendingSchemaChanges(dataSource)).toEqual(INEXPRESSIBLE_INDEXES.map(dropIndex).sort());
  });

  test('when an entity lacks a migrated column or declares one the schema lacks, then the comparison reports both', async () => {
    // Two tables: one dropped and one added column of a single table would read as a rename.
    const { deletedAt: _dropped, ...roomColumns } = RoomSchema.options.columns;
    const amenityColumns: Record<string, EntitySchemaColumnOptions> = {
      ...AmenitySchema.options.columns,
      icon: { name: 'icon', type: 'text', nullable: true },
    };
    const drifted = new Map<EntitySchema, EntitySchema<object>>([
      [RoomSchema, new EntitySchema({ ...RoomSchema.options, columns: roomColumns })],
      [AmenitySchema, new EntitySchema<object>({ ...AmenitySchema.options, columns: amenityColumns })],
    ]);
    const withDrift = createDataSource(process.env.DATABASE_URL!, { poolSize: 1 });
    withDrift.setOptions({ entities: entities.map((e) => drifted.get(e) ?? e) });
    await withDrift.initialize();
    try {
      expect(await pendingSchemaChanges(withDrift)).toEqual(
        [
          ...INEXPRESSIBLE_INDEXES.map(dropIndex),
          'ALTER TABLE "rooms" DROP COLUMN "deleted_at"',
          'ALTER TABLE "amenities" ADD "icon" text',
        ].sort(),
      );
    } finally {
      await withDrift.destroy();
    }
  });
});
