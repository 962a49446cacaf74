import { detectFormat, parseMixedLines, parseText } from './list-format.js';
import { printable } from './list-text.js';
import type { MatcherBuilder } from './matcher-builder.js';
import { RuleAction, type InvalidLine, type ListFormatName, type RuleScope, type RuleSink } from './rule-types.js';

// Feeds one source's rules into a snapshot under construction and keeps the numbers an
// operator needs to trust a list: what was understood, what was skipped and why, which
// lines were wrong.

/** Invalid lines kept per source: enough to diagnose, bounded for a broken 1 GB file. */
export const INVALID_SAMPLE = 20;

export interface SourceStats {
  format: ListFormatName;
  block: number;
  allow: number;
  important: number;
  regex: number;
  /** regular expressions dropped because the snapshot reached lists.max_regex */
  regexOverCap: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  invalid: number;
  invalidSample: InvalidLine[];
}

export function emptyStats(format: ListFormatName): SourceStats {
  return { format, block: 0, allow: 0, important: 0, regex: 0, regexOverCap: 0, skipped: 0, skippedByReason: {}, invalid: 0, invalidSample: [] };
}

class BuilderSink implements RuleSink {
  constructor(
    private readonly builder: MatcherBuilder,
    private readonly set: number,
    private readonly maxRegex: number,
    readonly stats: SourceStats,
    private readonly sampleCap = INVALID_SAMPLE,
  ) {}

  name(name: string, action: RuleAction, scope: RuleScope): void {
    this.builder.addName(name, action, scope, this.set);
    if (action === RuleAction.Block) this.stats.block++;
    else if (action === RuleAction.Important) this.stats.important++;
    else this.stats.allow++;
  }

  regex(pattern: string, action: RuleAction): void {
    if (this.builder.regexes.length >= this.maxRegex) {
      this.stats.regexOverCap++;
      return;
    }
    this.builder.addRegex(pattern, action, this.set);
    this.stats.regex++;
  }

  skipped(reason: string): void {
    this.stats.skipped++;
    this.stats.skippedByReason[reason] = (this.stats.skippedByReason[reason] ?? 0) + 1;
  }

  invalid(line: number, text: string, reason: string): void {
    this.stats.invalid++;
    if (this.stats.invalidSample.length < this.sampleCap) this.stats.invalidSample.push({ line, text: printable(text.slice(0, 200)), reason: printable(reason) });
  }
}

/** Adds a source's text to `builder`, every rule under the category set `set` (builder.setFor). */
export function compileSourceText(text: string, format: ListFormatName | 'auto', set: number, maxRegex: number, builder: MatcherBuilder): SourceStats {
  const f = format === 'auto' ? detectFormat(text) : format;
  const sink = new BuilderSink(builder, set, maxRegex, emptyStats(f));
  parseText(text, f, sink);
  return sink.stats;
}

/** Adds rules written one per line in any syntax, detected line by line; every invalid line kept. */
export function compileMixedLines(lines: readonly string[], set: number, maxRegex: number, builder: MatcherBuilder): SourceStats {
  const sink = new BuilderSink(builder, set, maxRegex, emptyStats('adblock'), Infinity);
  parseMixedLines(lines, sink);
  return sink.stats;
}
