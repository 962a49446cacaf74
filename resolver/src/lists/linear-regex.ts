import { setFlagsFromString } from 'node:v8';

// Regex rules run on names that clients choose, so a backtracking pattern such as
// `^(a+)+\.com$` must not be able to stall the process. V8 ships a linear-time engine
// (automaton simulation, no backtracking); it is slower per call than the backtracking
// engine on ordinary patterns (~6 µs against ~0.4 µs for a 60-byte name) and RE2 in wasm
// costs ~4 µs a call for copying the name into its memory. So rules run on the backtracking
// engine with V8's fallback armed: a run that backtracks more than BACKTRACK_LIMIT times is
// re-run on the linear engine, which bounds the worst case without taxing the common one.
// The fallback only applies to patterns the linear engine can run, so a rule that it cannot
// (back-references, lookaround, huge counted repetitions) is refused when it is parsed.
// The flags are process-wide (worker threads share them) and change no regular expression's
// result, only which engine runs one that already backtracked past the limit.

/** backtracks before a run moves to the linear engine: ~20 µs of backtracking at most */
const BACKTRACK_LIMIT = 1000;

function linearAvailable(): boolean {
  try {
    new RegExp('', 'l');
    return true;
  } catch {
    return false;
  }
}

if (!linearAvailable()) {
  setFlagsFromString('--enable-experimental-regexp-engine');
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACK_LIMIT}`);
}
const LINEAR = linearAvailable();

export type LinearCompile = { ok: true; regex: RegExp } | { ok: false; reason: string };

/** Compiles a rule's pattern, or says why it cannot be used: a syntax error, or not linear-time. */
export function compileLinearRegex(pattern: string): LinearCompile {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (e) {
    return { ok: false, reason: `invalid regular expression: ${(e as Error).message}` };
  }
  if (!LINEAR) return { ok: false, reason: 'regular expression refused: this Node.js has no linear-time regex engine' };
  try {
    new RegExp(pattern, 'l');
  } catch {
    return { ok: false, reason: 'regular expression refused: it cannot run in linear time (back-reference, lookaround or large repetition count)' };
  }
  return { ok: true, regex };
}

/** The compiled form of a pattern already accepted by `compileLinearRegex` (a snapshot's rules). */
export function linearRegex(pattern: string): RegExp {
  const c = compileLinearRegex(pattern);
  // a refused pattern never reaches a snapshot; one that did (a copy from an older version)
  // matches nothing rather than running unbounded
  return c.ok ? c.regex : /(?!)/;
}

/** Shortest literal worth a substring test before a regex run. */
const MIN_LITERAL = 3;

/**
 * A run of characters every match of `pattern` contains, or '' when none is known: the regex
 * needs no run on a name without it, and a substring search costs a fraction of a regex run.
 * Conservative by construction: only characters at the top level (outside groups and
 * classes), in a pattern with no top-level alternation, not followed by a quantifier, count.
 */
export function requiredLiteral(pattern: string): string {
  let best = '';
  let run = '';
  let depth = 0;
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      i++;
      // an escaped punctuation character is itself; \d, \b, \x41, \u... are not one known character
      if (depth === 0 && /^[.\-/^$*+?()[\]{}|\\]$/.test(n)) run += n;
      else end();
    } else if (c === '[') {
      end();
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (c === '(') {
      end();
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === '|') {
      if (depth === 0) return '';
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      // the character before is optional or repeated: it leaves the run
      run = run.slice(0, -1);
      end();
    } else if (depth === 0 && c !== '.' && c !== '^' && c !== '$' && c !== '}' && c !== ']') {
      run += c;
    } else {
      end();
    }
  }
  end();
  return best.length >= MIN_LITERAL ? best : '';
}
