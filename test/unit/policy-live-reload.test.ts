import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { categories } from '../../resolver/src/lists/categories.js';
import { compileRules } from '../../resolver/src/lists/domain-matcher.js';
import { PolicyService } from '../../resolver/src/policy/policy-service.js';
import { Action, Decision } from '../../resolver/src/policy/policy-types.js';
import { importConfig } from '../../resolver/src/store/config-import.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';

const games = compileRules(['game.test'], categories.bit('games')!, 'test').matcher;
const name = WireName.fromText('game.test');
const out = new Decision();

let dir: string;
let file: string;
let db: Db;
let engine: PolicyService;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-reload-'));
  file = join(dir, 'nestguard.db');
  db = openDatabase(file);
  engine = new PolicyService({ db, lists: () => games, logger: pino({ level: 'silent' }) });
  engine.start();
});
afterEach(() => {
  engine.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function decideGame(): Action {
  const net = engine.networkForAddress('127.0.0.1');
  if (!net) throw new Error('query dropped: no network');
  return engine.decide(net, name.buf, name.labelOffsets, name.labelCount, 1, Date.now(), out);
}

it('serves the first-start defaults, then applies a commit from another connection within a second, dropping no query', async () => {
  expect(engine.networkForAddress('127.0.0.1')?.name).toBe('local');
  expect(decideGame()).toBe(Action.Allow);

  const other = openDatabase(file);
  try {
    const t0 = performance.now();
    other.prepare("INSERT INTO policy_categories (policy_id, category) SELECT id, 'games' FROM policies WHERE name = 'default'").run();
    // query continuously meanwhile: every query must meet a network and a decision
    let action = decideGame();
    while (action !== Action.Block && performance.now() - t0 < 1000) {
      await new Promise((r) => setTimeout(r, 5));
      action = decideGame();
    }
    expect(action).toBe(Action.Block);
    expect(performance.now() - t0).toBeLessThan(1000);
  } finally {
    other.close();
  }
});

it('applies an in-process import before the call returns', () => {
  expect(decideGame()).toBe(Action.Allow);
  importConfig(db, { policies: [{ name: 'default', block: ['games'] }], networks: [] });
  expect(decideGame()).toBe(Action.Block);
  expect(engine.explain('local', 'game.test', 1)).toMatchObject({ action: 'block', category: 'games' });
});

it('drops the address memo with the old snapshot when networks move', async () => {
  expect(engine.networkForAddress('198.51.100.9')).toBeNull();
  const other = openDatabase(file);
  try {
    other.prepare("INSERT INTO networks (name, policy_id) SELECT 'doc', id FROM policies WHERE name = 'default'").run();
    other.prepare("INSERT INTO network_cidrs (network_id, cidr) SELECT id, '198.51.100.0/24' FROM networks WHERE name = 'doc'").run();
  } finally {
    other.close();
  }
  const t0 = performance.now();
  while (engine.networkForAddress('198.51.100.9') === null && performance.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 10));
  expect(engine.networkForAddress('198.51.100.9')?.name).toBe('doc');
});

it('stops following the store after stop()', async () => {
  engine.stop();
  const before = engine.revision;
  const other = openDatabase(file);
  other.prepare("INSERT INTO policy_categories (policy_id, category) SELECT id, 'games' FROM policies WHERE name = 'default'").run();
  other.close();
  await new Promise((r) => setTimeout(r, 600));
  expect(engine.revision).toBe(before);
  expect(decideGame()).toBe(Action.Allow);
  expect(engine.reload()).toBe(true);
  expect(decideGame()).toBe(Action.Block);
});
