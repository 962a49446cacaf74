import { WELL_KNOWN_CATEGORIES } from '../../lists/categories.js';

// category bits: one table every process sharing the file agrees on
export const version = 6;
export const name = '006-category-bits';

// A category name's bit in the compiled list and policy masks. Bits are handed out when a
// snapshot that uses the name is built (never while a policy is merely validated), and kept,
// so a name means the same bit in every process and after every restart. The well-known
// categories keep their historical bits 0..n. Not a configuration table: a new row changes
// no decision by itself, so it bumps no revision.
export const sql = `
CREATE TABLE category_bits (
  name TEXT PRIMARY KEY,
  bit  INTEGER NOT NULL UNIQUE CHECK (bit >= 0)
) WITHOUT ROWID;
${WELL_KNOWN_CATEGORIES.map((c, i) => `INSERT INTO category_bits (name, bit) VALUES ('${c}', ${i});`).join('\n')}
`;
