import { chromium, type Browser } from 'playwright-core';

// Every browser test drives Debian's Chromium (installed by scripts/setup.sh), never a
// downloaded build. The flags keep it from reaching for the network this machine does not
// have: background networking, component updates and sync would each try at start.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
