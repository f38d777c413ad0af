// The live dashboard in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core opens the dashboard of docs/examples/dashboard_program.cpp. The program starts a
// "report" task awaiting a "fetch" task every few seconds; the test passes when the page shows the
// "report" task appear, with "fetch" beneath it (the await edge), then disappear, and when a
// malformed request to the dashboard gets 400 while the page keeps updating. A screenshot of the
// page with the tasks on it is saved for a person to look at.
//
//   node dashboard_e2e.mjs http://127.0.0.1:PORT/ http://127.0.0.1:APP_PORT/ screenshot.png
//
// Exits 0 on success; otherwise prints what went wrong on stderr and exits 1. Every wait is bounded.

import net from 'node:net';
import { chromium } from 'playwright-core';

const [url, appUrl, screenshot] = process.argv.slice(2);
if (!url || !appUrl || !screenshot) {
  console.error('usage: node dashboard_e2e.mjs DASHBOARD_URL APP_URL SCREENSHOT.png');
  process.exit(2);
}
const executablePath = process.env.AIO_CHROMIUM || '/usr/bin/chromium';
const waitMs = 20000;

function fail(message) {
  console.error(`dashboard_e2e: FAILED: ${message}`);
  process.exitCode = 1;
}

// Sends raw bytes to the dashboard's port and returns the status line of what comes back.
function rawRequest(bytes) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    let got = '';
    socket.setTimeout(waitMs, () => { socket.destroy(); reject(new Error('no answer to a raw request')); });
    socket.on('data', (d) => { got += d.toString('latin1'); });
    socket.on('end', () => resolve(got.split('\r\n')[0]));
    socket.on('error', reject);
  });
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
  console.log(`dashboard_e2e: ${browser.version()} at ${executablePath}`);
  // Some traffic for the routes table.
  for (let i = 0; i < 5; ++i) {
    const r = await fetch(new URL('hello', appUrl));
    if (r.status !== 200) throw new Error(`GET ${appUrl}hello: HTTP ${r.status}`);
  }
  const context = await browser.newContext({ viewport: { width: 900, height: 820 } });
  const page = await context.newPage();
  page.on('console', (msg) => console.log(`[page console] ${msg.text()}`));
  page.on('pageerror', (err) => console.log(`[page error] ${err.message}`));
  const response = await page.goto(url, { timeout: waitMs });
  if (!response || !response.ok()) throw new Error(`GET ${url}: HTTP ${response ? response.status() : 'none'}`);
  await page.locator('#status.connected').waitFor({ timeout: waitMs });
  console.log('dashboard_e2e: the page connected its WebSocket');
  // The notice comes with the first update, a little after the socket opens (slower under sanitizers).
  try {
    await page.locator('#where', { hasText: 'loopback only' }).waitFor({ timeout: waitMs });
  } catch {
    const where = await page.locator('#where').textContent();
    throw new Error(`the page does not say it is loopback only: '${where}'`);
  }

  // The report task appears, awaiting fetch: fetch is drawn inside report's list item.
  const edge = page.locator('li.task[data-name="report"] li.task[data-name="fetch"]');
  try {
    await edge.first().waitFor({ timeout: waitMs });
  } catch {
    const names = await page.locator('li.task').evaluateAll((els) => els.map((e) => e.dataset.name));
    throw new Error(`no 'report' task awaiting 'fetch' within ${waitMs} ms; tasks seen: ${JSON.stringify(names)}`);
  }
  console.log("dashboard_e2e: 'report' appeared, awaiting 'fetch'");
  const routes = await page.locator('#routes').textContent();
  if (!routes.includes('/hello')) throw new Error(`the slowest routes do not list /hello: '${routes}'`);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`dashboard_e2e: screenshot saved to ${screenshot}`);

  // A malformed request gets 400; the program and the page go on.
  const status = await rawRequest('NOT A REQUEST\r\n\r\n');
  if (!status.startsWith('HTTP/1.1 400')) throw new Error(`a malformed request got '${status}', not 400`);
  console.log(`dashboard_e2e: a malformed request got '${status}'`);

  await page.locator('li.task[data-name="report"]').first().waitFor({ state: 'detached', timeout: waitMs });
  console.log("dashboard_e2e: 'report' disappeared once it finished");
  await page.locator('li.task[data-name="report"]').first().waitFor({ timeout: waitMs });
  console.log("dashboard_e2e: the next 'report' appeared: the page still updates");
  if (!(await page.locator('#status.connected').count())) throw new Error('the WebSocket closed');
} catch (err) {
  fail(err.message);
  try {
    await browser.contexts()[0]?.pages()[0]?.screenshot({ path: screenshot, fullPage: true });
  } catch { /* the failure above says what went wrong */ }
} finally {
  await browser.close();
}
