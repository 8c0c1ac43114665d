// SPDX-License-Identifier: Apache-2.0
// Browser test of the officer page in headless Chromium (Debian's chromium driven by playwright-core): log
// in, see a RED inspection arrive live, open it, see the failed region on the UV image, record a decision,
// find it in search; saves a screenshot of the inspection view. Exit 4 = skipped (no chromium/node_modules).
//   node station.test.mjs --station <gw-station> --sim <gw-scanner-sim> --out <build folder>
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const SKIP = 4;
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const chromiumPath = process.env.GW_CHROMIUM || '/usr/bin/chromium';
const outDir = path.resolve(args.out || 'browser-out');

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

if (!args.station || !args.sim) {
  console.error('usage: node station.test.mjs --station <gw-station> --sim <gw-scanner-sim> --out <dir>');
  process.exit(2);
}
if (!existsSync(chromiumPath)) skip(`${chromiumPath} not found (apt-get install chromium)`);
let chromium;
try {
  const require = createRequire(import.meta.url);
  ({ chromium } = require('playwright-core'));
} catch (e) {
  skip('playwright-core not installed (run npm install in tests/browser)');
}

const work = path.join(outDir, 'work');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const db = path.join(work, 'station.db');
const pki = path.join(work, 'pki');
const ready = path.join(work, 'ready.json');
const password = 'browser-test-password';

function run(cmd, cmdArgs, input) {
  const r = spawnSync(cmd, cmdArgs, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

run(args.sim, ['pki', '--dir', pki, '--ids', 'GW-EMU-0001']);
run(args.station, ['user', 'add', '--db', db, '--name', 'anna', '--role', 'officer', '--password-stdin'], password + '\n');
const station = spawn(args.station, ['serve', '--db', db, '--http-port', '0', '--link-port', '0',
  '--link-ca', path.join(pki, 'ca.crt'), '--link-cert', path.join(pki, 'host.crt'),
  '--link-key', path.join(pki, 'host.key'), '--ready-file', ready], { stdio: ['ignore', 'ignore', 'inherit'] });

let browser;
let exitCode = 1;
try {
  for (let i = 0; i < 200 && !existsSync(ready); ++i) await sleep(50);
  check(existsSync(ready), 'station started');
  const info = JSON.parse(readFileSync(ready, 'utf8'));

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(info.url);

  // Log in.
  await page.fill('#login-user', 'anna');
  await page.fill('#login-password', 'wrong-password');
  await page.click('#login-submit');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  check(await page.isVisible('#view-login'), 'a wrong password keeps the login form');
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#view-queue:not([hidden])');
  check(true, 'logged in, queue shown');

  // A scanner sends two GREEN documents and a RED one while the page is open: no reload.
  const salt = String(Date.now() % 100000);
  const sender = spawnSync(args.sim, ['send', '--port', String(info.link_port), '--pki', pki, '--device', 'GW-EMU-0001',
    '--count', '3', '--red-every', '3', '--issuing-state', 'NLD', '--salt', salt], { encoding: 'utf8' });
  check(sender.status === 0, 'emulated scanner delivered its inspections');
  await page.waitForSelector('#queue-list li[data-verdict="RED"]', { timeout: 10000 });
  check((await page.locator('#queue-list li').count()) === 3, 'three inspections appeared in the live queue');

  // Open the RED one.
  await page.click('#queue-list li[data-verdict="RED"]');
  await page.waitForSelector('#verdict.RED');
  const verdictText = await page.textContent('#verdict');
  check(verdictText.includes('RED') && verdictText.includes('glows under UV'), 'large RED verdict with the reason first');
  check((await page.textContent('#detail .fields')).includes('X00000003'), 'MRZ fields shown');
  await page.waitForSelector('#light-uv .region[data-check="uv.substrate_dull"]', { timeout: 10000 });
  const img = await page.locator('#light-uv img').boundingBox();
  const region = await page.locator('#light-uv .region').first().boundingBox();
  check(region && img && region.width > 5 && region.height > 5 && region.x >= img.x && region.y >= img.y &&
    region.x + region.width <= img.x + img.width + 1 && region.y + region.height <= img.y + img.height + 1,
  'the failed region is drawn on the UV image, inside it');
  // The region is 10..50 mm of a 125 mm wide document: 8 % .. 40 % of the image width.
  const relX = (region.x - img.x) / img.width;
  const relW = region.width / img.width;
  check(Math.abs(relX - 0.08) < 0.02 && Math.abs(relW - 0.32) < 0.03, 'the region is at its millimetre position');
  check((await page.locator('#lights img').count()) === 3, 'white, IR and UV images side by side');
  await page.screenshot({ path: path.join(outDir, 'inspection-view.png'), fullPage: true });
  console.log(`screenshot: ${path.join(outDir, 'inspection-view.png')}`);

  // Zoom.
  const before = (await page.locator('#light-uv').boundingBox()).width;
  await page.locator('#zoom').fill('2');
  await sleep(100);
  const after = (await page.locator('#light-uv').boundingBox()).width;
  check(after > before * 1.5, 'zoom enlarges the images');

  // Record a decision.
  await page.check('#decision-form input[value="referred"]');
  await page.fill('#decision-form textarea', 'UV glow, second line');
  await page.click('#decision-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelectorAll('#decisions li').length === 1);
  check((await page.textContent('#decisions')).includes('UV glow, second line'), 'decision recorded');

  // Find it in search.
  await page.click('#nav button[data-view="search"]');
  await page.fill('#search-form input[name="document_number"]', 'X00000003');
  await page.selectOption('#search-form select[name="verdict"]', 'RED');
  await page.click('#search-form button[type="submit"]');
  await page.waitForSelector('#search-results tbody tr');
  const rows = await page.locator('#search-results tbody tr').count();
  const rowText = await page.textContent('#search-results tbody tr');
  check(rows === 1 && rowText.includes('Referred to second line'), 'search finds the inspection with its decision');

  // Statistics and scanners.
  await page.click('#nav button[data-view="stats"]');
  await page.waitForFunction(() => document.querySelectorAll('#stats-check tbody tr').length >= 2);
  check((await page.textContent('#stats-check')).includes('uv.substrate_dull'), 'statistics list the failed check');
  check((await page.textContent('#stats-state')).includes('NLD'), 'statistics per issuing state');
  await page.click('#nav button[data-view="scanners"]');
  await page.waitForSelector('#scanners tbody tr');
  check((await page.textContent('#scanners tbody')).includes('GW-EMU-0001'), 'the scanner is registered');
  check(!(await page.isVisible('#nav-audit')), 'an officer has no audit log menu');
  await page.click('#nav button[data-view="search"]');

  // Dutch.
  await page.selectOption('#lang', 'nl');
  await page.click('#search-results tbody tr');
  await page.waitForSelector('#verdict.RED');
  check((await page.textContent('#verdict')).includes('ROOD'), 'the page speaks Dutch');
  check(pageErrors.length === 0, `no script errors (${pageErrors.join('; ')})`);
  console.log('browser test passed');
  exitCode = 0;
} catch (e) {
  console.error(String(e && e.stack ? e.stack : e));
  exitCode = 1;
} finally {
  if (browser) await browser.close();
  station.kill('SIGTERM');
}
process.exit(exitCode);
