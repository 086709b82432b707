import type { EntitySchemaColumnOptions, EntitySchemaRelationOptions } from 'typeorm';

/**
 * Column shapes the schemas share. Defaults are SQL expressions, written as the migrations wrote
 * them, so TypeORM's schema builder compares them with what Postgres reports.
 */
export const uuidKey = (): EntitySchemaColumnOptions => ({ type: 'uuid', primary: true });

/** A uuid key that Postgres fills with gen_random_uuid() (the data source selects pgcrypto's generator). */
export const generatedUuidKey = (): EntitySchemaColumnOptions => ({
  type: 'uuid',
  primary: true,
  generated: 'uuid',
});

export const uuid = (name: string, options: { nullable?: boolean } = {}): EntitySchemaColumnOptions => ({
  name,
  type: 'uuid',
  nullable: options.nullable ?? false,
});

export const text = (
  name: string,
  options: { nullable?: boolean; default?: string } = {},
): EntitySchemaColumnOptions => ({
  name,
  type: 'text',
  nullable: options.nullable ?? false,
  ...(options.default === undefined ? {} : { default: options.default }),
});

export const textArray = (name: string): EntitySchemaColumnOptions => ({
  name,
  type: 'text',
  array: true,
  default: () => "'{}'",
});

export const timestamptz = (name: string, options: { nullable?: boolean } = {}): EntitySchemaColumnOptions => ({
  name,
  type: 'timestamp with time zone',
  nullable: options.nullable ?? false,
});

/** created_at, updated_at and the like: NOT NULL DEFAULT now(). */
export const timestamptzNow = (name: string): EntitySchemaColumnOptions => ({
  name,
  type: 'timestamp with time zone',
  default: () => 'now()',
});

export const integer = (name: string, options: { default?: number } = {}): EntitySchemaColumnOptions => ({
  name,
  type: 'integer',
  ...(options.default === undefined ? {} : { default: options.default }),
});

/**
 * A many-to-one relation over `column` of `table`, under the name Postgres gave its foreign key
 * (`<table>_<column>_fkey`, which every migration kept), so TypeORM compares it with the database.
 */
export const manyToOne = (
  table: string,
  column: string,
  target: string,
  options: Pick<EntitySchemaRelationOptions, 'nullable' | 'onDelete' | 'inverseSide'> = {},
): EntitySchemaRelationOptions => ({
  type: 'many-to-one',
  target,
  ...options,
  joinColumn: { name: column, foreignKeyConstraintName: `${table}_${column}_fkey` },
});
