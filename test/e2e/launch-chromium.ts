import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (package `chromium`); `CHROMIUM` overrides it. Browser tests skip when it is missing. */
export const CHROMIUM_PATH = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** True when the browser the end-to-end tests drive is installed. */
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

/**
 * The flags a closed network and a root CI need: no sandbox (root), no GPU, and none of Chromium's own
 * background connections (updates, sync, QUIC), which the network refuses and which would show up as
 * requests the page never made.
 */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * A headless Chromium. Playwright gives it a fresh, empty profile of its own (a new user-data-dir it removes
 * on close), and each `newContext()` is isolated from the others, so one launch serves a whole test file.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}
