import { adminCount, insertAdmin } from '../store/admin-repository.js';
import { recordAudit } from '../store/audit-repository.js';
import type { Db } from '../store/database.js';
import { hashPassword, randomPassword } from './password-hash.js';

// First start: with no admin at all, the owner `admin` is created. Its password is
// NESTGUARD_ADMIN_PASSWORD when set (Docker, automation); otherwise a random one, shown once
// on the terminal (stderr) and never written to the log.

export const FIRST_OWNER = 'admin';

export async function ensureFirstOwner(db: Db, env: NodeJS.ProcessEnv, terminal: (line: string) => void): Promise<boolean> {
  if (adminCount(db) > 0) return false;
  const given = env.NESTGUARD_ADMIN_PASSWORD;
  const password = given && given.length > 0 ? given : randomPassword();
  const passwordHash = await hashPassword(password);
  const created = db.transaction(() => {
    if (adminCount(db) > 0) return false;
    const id = insertAdmin(db, { username: FIRST_OWNER, role: 'owner', passwordHash, networkIds: [] });
    recordAudit(db, { adminId: null, username: '(first start)', action: 'admin.create', targetType: 'admin', targetId: id, targetName: FIRST_OWNER, after: { username: FIRST_OWNER, role: 'owner' } });
    return true;
  }).immediate();
  if (created && !given) {
    terminal(`nestguard: created the owner account "${FIRST_OWNER}" with password: ${password}`);
    terminal('nestguard: it is shown only this once; change it in the console, or: npm run admin -- reset-password admin');
  }
  return created;
}
