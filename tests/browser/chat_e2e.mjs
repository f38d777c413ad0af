// The chat room in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core opens the chat page twice, as alice and as bob; alice types a message and presses
// Send; the test passes when bob's page shows it (and alice's too: the server broadcasts to every page).
// A screenshot of both pages side by side is saved for a person to look at.
//
//   node chat_e2e.mjs http://127.0.0.1:PORT/chat screenshot.png
//
// Exits 0 on success; otherwise prints what went wrong on stderr and exits 1. Every wait is bounded.

import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node chat_e2e.mjs CHAT_PAGE_URL SCREENSHOT.png');
  process.exit(2);
}
const executablePath = process.env.AIO_CHROMIUM || '/usr/bin/chromium';
const waitMs = 15000;

function fail(message) {
  console.error(`chat_e2e: FAILED: ${message}`);
  process.exitCode = 1;
}

async function openAs(context, name) {
  const page = await context.newPage();
  page.on('console', (msg) => console.log(`[${name} console] ${msg.text()}`));
  page.on('pageerror', (err) => console.log(`[${name} page error] ${err.message}`));
  const sep = url.includes('?') ? '&' : '?';
  const response = await page.goto(`${url}${sep}name=${name}`, { timeout: waitMs });
  if (!response || !response.ok()) {
    throw new Error(`GET ${url} as ${name}: HTTP ${response ? response.status() : 'no response'}`);
  }
  try {
    await page.locator('#status.connected').waitFor({ timeout: waitMs });
  } catch {
    const status = await page.locator('#status').textContent();
    throw new Error(`${name}'s page did not connect its WebSocket within ${waitMs} ms (status: '${status}')`);
  }
  console.log(`chat_e2e: ${name}: ${await page.locator('#status').textContent()}`);
  return page;
}

// Waits until one of the page's message lines is exactly `line`.
async function expectLine(page, who, line) {
  try {
    await page.locator('#messages li', { hasText: line }).first().waitFor({ timeout: waitMs });
  } catch {
    const seen = await page.locator('#messages li').allTextContents();
    throw new Error(`${who} never saw '${line}' within ${waitMs} ms; it saw: ${JSON.stringify(seen)}`);
  }
  console.log(`chat_e2e: ${who} sees '${line}'`);
}

let browser;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: waitMs,
  });
} catch (err) {
  fail(`cannot start Chromium at ${executablePath} (Debian package 'chromium'; scripts/install-deps.sh ` +
       `installs it): ${err.message}`);
  process.exit(1);
}

try {
  console.log(`chat_e2e: ${browser.version()} at ${executablePath}`);
  const context = await browser.newContext({ viewport: { width: 640, height: 520 } });
  const alice = await openAs(context, 'alice');
  const bob = await openAs(context, 'bob');
  await expectLine(alice, 'alice', '* bob joined');

  const message = `hello from alice, ${new Date().toISOString()}`;
  await alice.locator('#text').fill(message);
  await alice.locator('#send').click();
  await expectLine(bob, 'bob', `alice: ${message}`);
  await expectLine(alice, 'alice', `alice: ${message}`);

  await bob.locator('#text').fill('hi alice!');
  await bob.locator('#text').press('Enter');
  await expectLine(alice, 'alice', 'bob: hi alice!');

  // Both pages side by side in one picture: screenshot each, then lay them out in a third page.
  const shots = [await alice.screenshot(), await bob.screenshot()];
  const board = await context.newPage();
  await board.setViewportSize({ width: 1290, height: 545 });
  const imgs = shots
    .map((png, i) => `<figure><figcaption>${i === 0 ? 'alice' : 'bob'}</figcaption>` +
                     `<img src="data:image/png;base64,${png.toString('base64')}"></figure>`)
    .join('');
  await board.setContent(
    `<style>figure{margin:0}figcaption{padding:4px 8px}</style>` +
    `<body style="margin:0;display:flex;gap:10px;font:14px sans-serif">${imgs}</body>`);
  await board.screenshot({ path: screenshot });
  console.log(`chat_e2e: the message crossed; screenshot saved to ${screenshot}`);
} catch (err) {
  fail(err.message);
} finally {
  await browser.close();
}
