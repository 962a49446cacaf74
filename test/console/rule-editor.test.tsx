// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { RuleEditor, rulesFromText } from '../../console/src/features/policies/components/rule-editor.js';
import { renderConsole } from '../helpers/console-render.js';

function Harness({ kind }: { kind: 'allow' | 'deny' }) {
  const [text, setText] = useState('');
  return <RuleEditor kind={kind} text={text} onText={setText} />;
}

const paste = (el: HTMLElement, value: string) => act(() => { fireEvent.change(el, { target: { value } }); });

afterEach(cleanup);

const PASTED = [
  '# lessons list',
  'tiktok.com',
  '*.roblox.com',
  '||garena.vn^',
  'not a domain',
  '',
  '/^ads[0-9]+\\./',
  '/(unclosed/',
  'xn--bcher-kva.example',
  'bücher.example',
  'http://example.org/path',
].join('\n');

describe('rule bulk paste', () => {
  it('checks every pasted line and names the bad ones by line number', async () => {
    await renderConsole(<Harness kind="deny" />);
    paste(screen.getByTestId('rules-deny'), PASTED);
    const problems = screen.getByTestId('rules-deny-problems');
    const items = [...problems.querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual([
      'Line 5: "not a domain": not a domain name',
      'Line 8: "/(unclosed/": not a valid regular expression',
      'Line 11: "http://example.org/path": not a domain name',
    ]);
    // comments and blank lines are not rules
    expect(screen.getByText('Rules: 9')).toBeTruthy();
    expect(screen.getByText('Lines to fix: 3')).toBeTruthy();
  });

  it('an allow list refuses "@@" and reports all-valid once fixed', async () => {
    await renderConsole(<Harness kind="allow" />);
    const box = screen.getByLabelText(/Always allow/);
    paste(box, 'school.example.org\n@@good.example.org');
    expect(screen.getByTestId('rules-allow-problems').textContent).toContain('Line 2: "@@good.example.org": write allow rules without "@@"');
    paste(box, 'school.example.org\ngood.example.org');
    expect(screen.queryByTestId('rules-allow-problems')).toBeNull();
    expect(screen.getByText('Every line is valid.')).toBeTruthy();
  });

  it('what is saved is the rules without comments, and the count of bad lines', () => {
    expect(rulesFromText(PASTED, 'deny')).toEqual({
      rules: ['tiktok.com', '*.roblox.com', '||garena.vn^', 'not a domain', '/^ads[0-9]+\\./', '/(unclosed/', 'xn--bcher-kva.example', 'bücher.example', 'http://example.org/path'],
      invalid: 3,
    });
  });
});
