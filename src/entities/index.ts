import type { EntitySchema } from 'typeorm';

/** Every entity schema, one per aggregate's table. */
export const entities: EntitySchema[] = [];
