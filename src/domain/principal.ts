/** Who may act, and as what: types and pure predicates shared by HTTP, Socket.IO, services and mail. */

export const ROLES = ['admin', 'facility_manager', 'member', 'display'] as const;
export type Role = (typeof ROLES)[number];
export type UserRole = Exclude<Role, 'display'>;

/** Who is calling: a person's account, or a display device bound to one room. */
export type Principal =
  | { kind: 'user'; userId: string; role: UserRole }
  | { kind: 'display'; displayTokenId: string; roomId: string; role: 'display' };

/** Turns a bearer token into a principal or throws a 401 AppError. Shared by the HTTP layer and the Socket.IO handshake. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Facility managers and admins. */
export const isStaff = (p: Principal): boolean =>
  p.kind === 'user' && (p.role === 'admin' || p.role === 'facility_manager');
