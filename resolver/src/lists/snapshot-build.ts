import { readFileSync } from 'node:fs';
import type { CompiledTables } from './compiled-tables.js';
import { normalizeName } from './domain-name.js';
import { linearRegex } from './linear-regex.js';
import { createParser, detectFormat, forEachLine } from './list-format.js';
import { CHECK_SAMPLE_LINES, firstLines, mostlyInvalidReason, notTextReason } from './list-text.js';
import type { SourceFormat } from './list-source-types.js';
import { MatcherBuilder } from './matcher-builder.js';
import { isAllow, RuleScope, type ListFormatName, type RuleAction, type RuleSink } from './rule-types.js';
import { compileMixedLines, compileSourceText, type SourceStats } from './source-compiler.js';

// The two jobs run off the event loop (compile-worker.ts): compiling every enabled source's
// cached copy into one snapshot, and finding which lines of which sources match a name.
// Plain functions over files, so the list-check script runs them in-process as well.

export interface BuildSource {
  name: string;
  /** the cached copy to read */
  file: string;
  format: SourceFormat;
  /** category bit every rule of this source carries */
  category: number;
}

/** A service of the catalog (service-catalog.ts): suffix rules under its own category bit. */
export interface BuildService {
  id: string;
  category: number;
  rules: string[];
}

export interface BuildJob {
  kind: 'build';
  sources: BuildSource[];
  services: BuildService[];
  maxRegex: number;
}

export interface BuildResult {
  tables: CompiledTables;
  stats: Record<string, SourceStats>;
  /** sources whose copy could not be read: left out of this snapshot */
  errors: Record<string, string>;
}

/** A new copy of one source, checked before it may replace the last good one. */
export interface CheckJob {
  kind: 'check';
  name: string;
  body: Uint8Array;
  format: SourceFormat;
  maxRegex: number;
}

export interface CheckResult {
  /** why the copy is refused, naming the source; null when it may be used */
  error: string | null;
}

export interface ExplainJob {
  kind: 'explain';
  sources: Array<{ name: string; file: string; format: SourceFormat }>;
  name: string;
}

export interface ExplainMatch {
  source: string;
  line: number;
  text: string;
  kind: 'block' | 'allow';
}

export function buildSnapshot(job: BuildJob): BuildResult {
  const builder = new MatcherBuilder();
  const stats: Record<string, SourceStats> = {};
  const errors: Record<string, string> = {};
  for (const s of job.sources) {
    let text: string;
    try {
      text = readFileSync(s.file, 'utf8');
    } catch (e) {
      errors[s.name] = `lists: ${s.name}: cannot read cached copy: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      continue;
    }
    builder.reserve(countLines(text));
    stats[s.name] = compileSourceText(text, s.format, builder.setFor(s.category), job.maxRegex, builder);
  }
  for (const s of job.services) compileMixedLines(s.rules, builder.setFor(s.category), 0, builder);
  return { tables: builder.build(), stats, errors };
}

/** Refuses a copy that is not text, or whose first lines are mostly not of its format (the
 *  snapshot build parses it whole once it is accepted; a sample keeps a refresh to one parse). */
export function checkSource(job: CheckJob): CheckResult {
  const notText = notTextReason(job.body);
  if (notText !== null) return { error: `lists: ${job.name}: ${notText}` };
  const head = firstLines(job.body, CHECK_SAMPLE_LINES);
  const builder = new MatcherBuilder();
  // only the counts matter here: any category will do
  const stats = compileSourceText(head, job.format, builder.setFor(0), job.maxRegex, builder);
  const invalid = mostlyInvalidReason(stats);
  return { error: invalid === null ? null : `lists: ${job.name}: ${invalid}` };
}

/** Lines in a text: an upper bound on the rules it can add (a hosts line may hold several, rarely). */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function covers(rule: string, scope: RuleScope, name: string): boolean {
  if (scope !== RuleScope.Sub && name === rule) return true;
  return scope !== RuleScope.Exact && name.length > rule.length && name.endsWith(rule) && name.charCodeAt(name.length - rule.length - 1) === 0x2e;
}

/** Every rule line, in every listed source, that applies to `job.name`. */
export function explainName(job: ExplainJob): ExplainMatch[] {
  const n = normalizeName(job.name);
  if ('error' in n) throw new Error(`lists: explain: invalid name "${job.name}": ${n.error}`);
  const name = n.name;
  const out: ExplainMatch[] = [];
  for (const s of job.sources) {
    let text: string;
    try {
      text = readFileSync(s.file, 'utf8');
    } catch {
      continue;
    }
    const format: ListFormatName = s.format === 'auto' ? detectFormat(text) : s.format;
    const parser = createParser(format);
    let current = '';
    const hit = (line: number, action: RuleAction) => out.push({ source: s.name, line, text: current.trim(), kind: isAllow(action) ? 'allow' : 'block' });
    const sink: RuleSink = {
      name: (rule, action, scope, line) => { if (covers(rule, scope, name)) hit(line, action); },
      regex: (pattern, action, line) => { if (linearRegex(pattern).test(name)) hit(line, action); },
      skipped: () => {},
      invalid: () => {},
    };
    forEachLine(text, (line, lineNo) => {
      current = line;
      parser.parse(line, lineNo, sink);
    });
  }
  return out;
}
