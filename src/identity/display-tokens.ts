import { notFound } from '../domain/errors';
import { DISPLAY_TOKEN_PREFIX, hashOpaqueToken, newOpaqueToken } from './opaque-tokens';
import { returnedRows, type Queryable } from './queryable';

export interface DisplayTokenView {
  id: string;
  roomId: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
}

interface DisplayTokenRow {
  id: string;
  room_id: string;
  name: string;
  created_by: string | null;
  created_at: Date;
}

const toView = (row: DisplayTokenRow): DisplayTokenView => ({
  id: row.id,
  roomId: row.room_id,
  name: row.name,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
});

// Rooms are soft-deleted (deleted_at, added by the rooms catalog migration); reading it through
// to_jsonb keeps this module independent of the order the two migrations land in.
const ROOM_LIVE = "(to_jsonb(r) ->> 'deleted_at') IS NULL";

async function assertRoomExists(db: Queryable, roomId: string): Promise<void> {
  const [room] = await db.query(`SELECT 1 FROM rooms r WHERE r.id = $1 AND ${ROOM_LIVE}`, [roomId]);
  if (!room) throw notFound('Room');
}

/** The token itself is returned only here, once: the database keeps its hash. */
export async function createDisplayToken(
  db: Queryable,
  input: { roomId: string; name: string; createdBy: string },
): Promise<DisplayTokenView & { token: string }> {
  await assertRoomExists(db, input.roomId);
  const { token, hash } = newOpaqueToken(DISPLAY_TOKEN_PREFIX);
  const [row] = await db.query(
    'INSERT INTO display_tokens (room_id, name, token_hash, created_by) VALUES ($1, $2, $3, $4) RETURNING *',
    [input.roomId, input.name, hash, input.createdBy],
  );
  return { ...toView(row), token };
}

/** The room's tokens that still work, newest first. */
export async function listDisplayTokens(db: Queryable, roomId: string): Promise<DisplayTokenView[]> {
  await assertRoomExists(db, roomId);
  const rows = await db.query(
    'SELECT * FROM display_tokens WHERE room_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id',
    [roomId],
  );
  return rows.map(toView);
}

export async function revokeDisplayToken(db: Queryable, roomId: string, tokenId: string): Promise<void> {
  await assertRoomExists(db, roomId);
  const revoked = returnedRows(
    await db.query(
      'UPDATE display_tokens SET revoked_at = now() WHERE id = $1 AND room_id = $2 AND revoked_at IS NULL RETURNING id',
      [tokenId, roomId],
    ),
  );
  if (revoked.length === 0) throw notFound('Display token');
}

export async function findDisplayToken(
  db: Queryable,
  roomId: string,
  tokenId: string,
): Promise<DisplayTokenView | undefined> {
  const [row] = await db.query('SELECT * FROM display_tokens WHERE id = $1 AND room_id = $2 AND revoked_at IS NULL', [
    tokenId,
    roomId,
  ]);
  return row ? toView(row) : undefined;
}

/** The live token behind a presented secret, or undefined (unknown, revoked, or its room deleted). */
export async function lookupDisplayToken(
  db: Queryable,
  token: string,
): Promise<{ id: string; roomId: string } | undefined> {
  if (!token.startsWith(DISPLAY_TOKEN_PREFIX)) return undefined;
  const [row] = await db.query(
    `SELECT d.id, d.room_id FROM display_tokens d JOIN rooms r ON r.id = d.room_id
     WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND ${ROOM_LIVE}`,
    [hashOpaqueToken(token)],
  );
  return row ? { id: row.id, roomId: row.room_id } : undefined;
}
