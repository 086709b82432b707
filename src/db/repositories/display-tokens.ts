import { selectRows, updatedRows, type Queryable } from '../queryable';

/** Display devices' tokens, stored as hashes, each bound to one room. */

export interface DisplayTokenRow {
  id: string;
  room_id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

// Rooms are soft-deleted (deleted_at, added by the rooms catalog migration); reading it through
// to_jsonb keeps this module independent of the order the two migrations land in.
const ROOM_LIVE = "(to_jsonb(r) ->> 'deleted_at') IS NULL";

export async function isRoomLive(db: Queryable, roomId: string): Promise<boolean> {
  const rows = await selectRows<unknown>(db, `SELECT 1 FROM rooms r WHERE r.id = $1 AND ${ROOM_LIVE}`, [roomId]);
  return rows.length > 0;
}

export async function insertDisplayToken(
  db: Queryable,
  token: { roomId: string; name: string; hash: string; createdBy: string },
): Promise<DisplayTokenRow> {
  const [row] = await selectRows<DisplayTokenRow>(
    db,
    'INSERT INTO display_tokens (room_id, name, token_hash, created_by) VALUES ($1, $2, $3, $4) RETURNING *',
    [token.roomId, token.name, token.hash, token.createdBy],
  );
  return row;
}

/** The room's tokens that still work, newest first. */
export function listLiveDisplayTokens(db: Queryable, roomId: string): Promise<DisplayTokenRow[]> {
  return selectRows<DisplayTokenRow>(
    db,
    'SELECT * FROM display_tokens WHERE room_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id',
    [roomId],
  );
}

/** False when there was no live token with this id in this room. */
export async function markDisplayTokenRevoked(db: Queryable, roomId: string, tokenId: string): Promise<boolean> {
  const revoked = await updatedRows<{ id: string }>(
    db,
    'UPDATE display_tokens SET revoked_at = now() WHERE id = $1 AND room_id = $2 AND revoked_at IS NULL RETURNING id',
    [tokenId, roomId],
  );
  return revoked.length > 0;
}

export async function findLiveDisplayToken(
  db: Queryable,
  roomId: string,
  tokenId: string,
): Promise<DisplayTokenRow | undefined> {
  const [row] = await selectRows<DisplayTokenRow>(
    db,
    'SELECT * FROM display_tokens WHERE id = $1 AND room_id = $2 AND revoked_at IS NULL',
    [tokenId, roomId],
  );
  return row;
}

/** The live token with this hash, unless its room was deleted. */
export async function findLiveDisplayTokenByHash(
  db: Queryable,
  hash: string,
): Promise<Pick<DisplayTokenRow, 'id' | 'room_id'> | undefined> {
  const [row] = await selectRows<Pick<DisplayTokenRow, 'id' | 'room_id'>>(
    db,
    `SELECT d.id, d.room_id FROM display_tokens d JOIN rooms r ON r.id = d.room_id
     WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND ${ROOM_LIVE}`,
    [hash],
  );
  return row;
}
