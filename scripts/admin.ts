import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { hashPassword, randomPassword } from '../resolver/src/api/password-hash.js';
import { PASSWORD_MIN, USERNAME_PATTERN } from '../resolver/src/api/schemas/session.js';
import { loadConfig } from '../resolver/src/config/load-config.js';
import { adminIdByName, insertAdmin, listAdmins, ROLES, setPasswordHash, type Role } from '../resolver/src/store/admin-repository.js';
import { recordAudit } from '../resolver/src/store/audit-repository.js';
import { DB_FILE_NAME, openDatabase } from '../resolver/src/store/database.js';
import { loadNetworks, networkIdsForNames } from '../resolver/src/store/network-repository.js';
import { deleteSessionsOf } from '../resolver/src/store/session-repository.js';

// Admin accounts for operators, on the data directory directly (the server may be running:
// SQLite in WAL mode lets both write):
//   npm run admin -- list
//   npm run admin -- create NAME --role owner|network-admin|viewer [--network NET ...] [--password P]
//   npm run admin -- reset-password NAME [--password P]
// Without --password a random one is generated and shown once.

const USAGE = `usage: npm run admin -- list
       npm run admin -- create NAME --role ${ROLES.join('|')} [--network NET ...] [--password P]
       npm run admin -- reset-password NAME [--password P]`;

export const HELP = `Admin accounts of the console, on the data directory directly (the server may be running).

${USAGE}

  list                  every admin, with role and networks
  create NAME           a new admin; owners see every network, the other roles only theirs
  reset-password NAME   a new password; the admin's sessions end
  --role ROLE           ${ROLES.join(', ')}
  --network NET         a network the admin manages (repeat for several; not for owners)
  --password P          the password (at least ${PASSWORD_MIN} characters); without it one is
                        generated and shown once
  -h, --help            this help

The database is <data_dir>/nestguard.db (NESTGUARD_CONFIG and NESTGUARD_DATA_DIR are read
as by the server).

example (works on a fresh install):
  npm run admin -- list
`;

const ACTOR = '(command line)';

export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { role: { type: 'string' }, network: { type: 'string', multiple: true }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return HELP;
  const [command, username] = positionals;
  const { config } = loadConfig(env);
  const file = join(config.data_dir, DB_FILE_NAME);
  if (command !== 'list' && command !== 'create' && command !== 'reset-password') throw new Error(USAGE);
  if (command === 'list' && !existsSync(file)) return 'no admins yet (no database)\n';
  const db = openDatabase(file);
  try {
    if (command === 'list') {
      const names = new Map(loadNetworks(db).map((n) => [n.id, n.name]));
      return listAdmins(db).map((a) => `${a.username}\t${a.role}\t${a.networkIds.map((id) => names.get(id)).join(',')}\n`).join('') || 'no admins yet\n';
    }
    if (!username) throw new Error(USAGE);
    const password = values.password ?? randomPassword();
    if (password.length < PASSWORD_MIN) throw new Error(`admin: the password needs at least ${PASSWORD_MIN} characters`);
    const shown = values.password ? '' : `password: ${password}\n`;
    const passwordHash = await hashPassword(password);
    if (command === 'create') {
      const role = values.role as Role;
      if (!ROLES.includes(role)) throw new Error(`admin: --role must be one of ${ROLES.join(', ')}\n${USAGE}`);
      if (!new RegExp(USERNAME_PATTERN).test(username)) throw new Error('admin: a username is letters, digits and . _ @ - (at most 64)');
      const names = role === 'owner' ? [] : values.network ?? [];
      const ids = networkIdsForNames(db, names);
      const unknown = names.filter((n) => !ids.has(n));
      if (unknown.length) throw new Error(`admin: unknown network(s): ${unknown.join(', ')}`);
      db.transaction(() => {
        if (adminIdByName(db, username) !== undefined) throw new Error(`admin: "${username}" exists (use reset-password)`);
        const id = insertAdmin(db, { username, role, passwordHash, networkIds: names.map((n) => ids.get(n)!) });
        recordAudit(db, { adminId: null, username: ACTOR, action: 'admin.create', targetType: 'admin', targetId: id, targetName: username, after: { username, role, networks: names } });
      }).immediate();
      return `created ${username} (${role})\n${shown}`;
    }
    db.transaction(() => {
      const id = adminIdByName(db, username);
      if (id === undefined) throw new Error(`admin: no admin named "${username}"`);
      setPasswordHash(db, id, passwordHash);
      deleteSessionsOf(db, id);
      recordAudit(db, { adminId: null, username: ACTOR, action: 'password.reset', targetType: 'admin', targetId: id, targetName: username });
    }).immediate();
    return `new password set for ${username}; their sessions are ended\n${shown}`;
  } finally {
    db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAdmin(process.argv.slice(2)).then(
    (out) => process.stdout.write(out),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
