import { notFound } from '../domain/errors';
import type { Queryable } from '../db/queryable';
import {
  findLiveDisplayToken,
  findLiveDisplayTokenByHash,
  insertDisplayToken,
  isRoomLive,
  listLiveDisplayTokens,
  markDisplayTokenRevoked,
  type DisplayTokenRow,
} from '../db/repositories/display-tokens';
import { DISPLAY_TOKEN_PREFIX, hashOpaqueToken, newOpaqueToken } from './opaque-tokens';

export interface DisplayTokenView {
  id: string;
  roomId: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
}

const toView = (row: DisplayTokenRow): DisplayTokenView => ({
  id: row.id,
  roomId: row.room_id,
  name: row.name,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
});

async function assertRoomExists(db: Queryable, roomId: string): Promise<void> {
  if (!(await isRoomLive(db, roomId))) throw notFound('Room');
}

/** The token itself is returned only here, once: the database keeps its hash. */
export async function createDisplayToken(
  db: Queryable,
  input: { roomId: string; name: string; createdBy: string },
): Promise<DisplayTokenView & { token: string }> {
  await assertRoomExists(db, input.roomId);
  const { token, hash } = newOpaqueToken(DISPLAY_TOKEN_PREFIX);
  const row = await insertDisplayToken(db, { ...input, hash });
  return { ...toView(row), token };
}

/** The room's tokens that still work, newest first. */
export async function listDisplayTokens(db: Queryable, roomId: string): Promise<DisplayTokenView[]> {
  await assertRoomExists(db, roomId);
  return (await listLiveDisplayTokens(db, roomId)).map(toView);
}

export async function revokeDisplayToken(db: Queryable, roomId: string, tokenId: string): Promise<void> {
  await assertRoomExists(db, roomId);
  if (!(await markDisplayTokenRevoked(db, roomId, tokenId))) throw notFound('Display token');
}

export async function findDisplayToken(
  db: Queryable,
  roomId: string,
  tokenId: string,
): Promise<DisplayTokenView | undefined> {
  const row = await findLiveDisplayToken(db, roomId, tokenId);
  return row ? toView(row) : undefined;
}

/** The live token behind a presented secret, or undefined (unknown, revoked, or its room deleted). */
export async function lookupDisplayToken(
  db: Queryable,
  token: string,
): Promise<{ id: string; roomId: string } | undefined> {
  if (!token.startsWith(DISPLAY_TOKEN_PREFIX)) return undefined;
  const row = await findLiveDisplayTokenByHash(db, hashOpaqueToken(token));
  return row ? { id: row.id, roomId: row.room_id } : undefined;
}
