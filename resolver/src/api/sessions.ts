import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { getAdmin } from '../store/admin-repository.js';
import type { Db } from '../store/database.js';
import { deleteIdleSessions, deleteSession, getSession, insertSession, touchSession, type StoredSession } from '../store/session-repository.js';
import type { Actor } from './authorization.js';

// Server-side sessions: the cookie holds 32 random bytes, the store their SHA-256, so sessions
// are revocable, listable per admin, and a leaked database logs nobody in. A session ends
// after `idleMs` without a request; the last-seen time is written at most every few seconds.

export const SESSION_COOKIE = 'nestguard_session';
export const DEFAULT_IDLE_MS = 30 * 60_000;
const TOUCH_EVERY_MS = 5_000;

export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface ResolvedSession {
  session: StoredSession;
  actor: Actor;
}

export class Sessions {
  private readonly clock: () => number;

  constructor(private readonly db: Db, readonly idleMs: number = DEFAULT_IDLE_MS, clock?: () => number) {
    this.clock = clock ?? Date.now;
  }

  /** Opens a session; the token goes into the cookie and nowhere else. */
  open(adminId: number): { token: string; csrfToken: string; id: string } {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const id = sessionIdOf(token);
    const now = this.clock();
    deleteIdleSessions(this.db, now - this.idleMs);
    insertSession(this.db, { id, adminId, csrfToken, nowMs: now });
    return { token, csrfToken, id };
  }

  /** The live session and its admin for a cookie token; expired ones are deleted. */
  resolve(token: string | undefined): ResolvedSession | 'expired' | null {
    if (!token || token.length > 100) return null;
    const id = sessionIdOf(token);
    const session = getSession(this.db, id);
    if (!session) return null;
    const now = this.clock();
    if (now - session.lastSeenMs > this.idleMs) {
      deleteSession(this.db, id);
      return 'expired';
    }
    const admin = getAdmin(this.db, session.adminId);
    if (!admin) return null;
    if (now - session.lastSeenMs > Math.min(TOUCH_EVERY_MS, this.idleMs / 10)) touchSession(this.db, id, now);
    return { session, actor: { id: admin.id, username: admin.username, role: admin.role, networkIds: admin.networkIds } };
  }

  close(id: string): void {
    deleteSession(this.db, id);
  }
}

export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A session as shown to admins: a short id (not the cookie), when it began and was last used. */
export function sessionView(s: StoredSession, currentId: string | null): { id: string; created_at: string; last_seen_at: string; current: boolean } {
  return { id: s.id.slice(0, 16), created_at: s.createdAt, last_seen_at: new Date(s.lastSeenMs).toISOString(), current: s.id === currentId };
}
