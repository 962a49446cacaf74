// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { CidrInput } from '../../console/src/features/networks/components/cidr-input.js';
import { renderConsole } from '../helpers/console-render.js';

function Harness() {
  const [v, setV] = useState('');
  return <CidrInput value={v} onChange={setV} />;
}

const type = (el: HTMLElement, value: string) => act(() => { fireEvent.change(el, { target: { value } }); });

afterEach(cleanup);

describe('CIDR input validates as you type', () => {
  it('names each bad line and clears when fixed', async () => {
    await renderConsole(<Harness />);
    const box = screen.getByTestId('cidr-input');
    type(box, '10.1.0.0/16');
    expect(screen.queryByTestId('cidr-problems')).toBeNull();
    expect(box.getAttribute('aria-invalid')).not.toBe('true');

    type(box, '10.1.0.0/16\n10.0.0.300/8\n2001:db8::/48\nschool');
    const problems = screen.getByTestId('cidr-problems');
    expect(problems.textContent).toContain('Line 2: "10.0.0.300/8"');
    expect(problems.textContent).toContain('Line 4: "school"');
    expect(problems.textContent).not.toContain('2001:db8');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/Some lines are not address ranges \(2\)/)).toBeTruthy();

    type(box, '10.1.0.0/16\n10.0.0.0/8\n2001:db8::/48');
    expect(screen.queryByTestId('cidr-problems')).toBeNull();
  });

  it('shows the form the range will be stored in, and accepts single addresses', async () => {
    await renderConsole(<Harness />);
    const box = screen.getByTestId('cidr-input');
    type(box, '10.1.2.3/16\n127.0.0.2\n::ffff:192.0.2.0/120');
    expect(screen.queryByTestId('cidr-problems')).toBeNull();
    expect(screen.getByText('10.1.2.3/16 will be stored as 10.1.0.0/16')).toBeTruthy();
    expect(screen.getByText('::ffff:192.0.2.0/120 will be stored as 192.0.2.0/24')).toBeTruthy();
    expect(screen.queryByText(/127\.0\.0\.2 will be stored/)).toBeNull();
  });

  it('speaks Vietnamese', async () => {
    await renderConsole(<Harness />, 'vi');
    type(screen.getByTestId('cidr-input'), '300.1.1.1/8');
    expect(screen.getByTestId('cidr-problems').textContent).toContain('Dòng 1: "300.1.1.1/8" không phải dải địa chỉ IPv4 hay IPv6');
  });
});
