// Drives the sluice dashboard in headless Chromium (Debian's, through playwright-core from
// .tools/), for test_serve_dashboard.sh.
//   node dashboard.js run URL HOST CAP JOBS.jsonl SHOT.png
//     opens the dashboard, posts the jobs, and while the run goes reads what the page
//     draws for HOST: every point of the in-flight line at or below the cap line; saves a
//     screenshot mid-run. Prints a JSON summary.
//   node dashboard.js replay URL REASON DONE SHOT.png
//     clicks Replay on REASON's dead-letter row and waits until the page shows the jobs
//     back and done (jobs.done == DONE, no dead job of REASON); saves a screenshot.
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const { chromium } = require(path.join(__dirname, '../../.tools/node_modules/playwright-core'));

function fail(msg) { console.error('dashboard.js: ' + msg); process.exit(1); }
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function open(url) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1200, height: 1100 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url + '/', { waitUntil: 'load' });
  await page.waitForFunction(() => window.sluiceDashboard && window.sluiceDashboard.status,
                             null, { timeout: 30000 });
  return { context, page, errors, dir };
}

// What the page drew for host: the cap line's y, the in-flight line's points, the data.
async function drawn(page, host) {
  return page.evaluate(h => {
    const svg = [...document.querySelectorAll('svg[data-host]')].find(s => s.dataset.host === h);
    if (!svg) return null;
    const line = svg.querySelector('polyline.line-inflight');
    const cap = svg.querySelector('line.line-cap');
    const pts = (line.getAttribute('points') || '').trim().split(/\s+/).filter(Boolean)
      .map(p => p.split(',').map(Number));
    const model = window.sluiceDashboard.hosts[h];
    return {
      capLabel: Number(svg.dataset.cap), capY: Number(cap.getAttribute('y1')),
      lineYs: pts.map(p => p[1]),
      values: model ? model.points.map(p => p.in_flight) : [],
      caps: model ? model.points.map(p => p.cap) : [],
      text: document.getElementById('host-' + h.replace(/[^A-Za-z0-9]/g, '_')).innerText,
    };
  }, host);
}

async function runPhase(url, host, cap, jobsFile, shot) {
  const { context, page, errors } = await open(url);
  const res = await fetch(url + '/api/jobs', { method: 'POST', body: fs.readFileSync(jobsFile) });
  if (res.status !== 200) fail('POST /api/jobs answered ' + res.status);
  const total = (await res.json()).inserted;
  let maxSeen = 0, checks = 0, shotTaken = false, points = 0;
  const deadline = Date.now() + 90000;
  for (;;) {
    if (Date.now() > deadline) fail('the run did not finish on the page within 90 s');
    await sleep(250);
    const d = await drawn(page, host);
    const s = await page.evaluate(() => window.sluiceDashboard.status);
    if (!d) continue;
    checks++;
    for (const v of d.values) if (v > cap) fail(`page shows ${v} in flight, cap ${cap}`);
    for (const c of d.caps) if (c !== cap) fail(`page's cap line says ${c}, expected ${cap}`);
    if (d.capLabel !== cap) fail(`chart labelled cap ${d.capLabel}`);
    for (const y of d.lineYs) {
      if (y < d.capY - 0.05) fail(`in-flight line drawn above the cap line (y ${y} < ${d.capY})`);
    }
    maxSeen = Math.max(maxSeen, ...d.values);
    points = d.values.length;
    const dead = s.dead_by_reason && Object.keys(s.dead_by_reason).length;
    if (!shotTaken && maxSeen === cap && dead && s.jobs.done > total * 0.7) {
      await page.screenshot({ path: shot, fullPage: true });
      shotTaken = true;
    }
    if (s.jobs.queued + s.jobs.leased === 0 && s.jobs.done + s.jobs.dead === total) break;
  }
  if (!shotTaken) await page.screenshot({ path: shot, fullPage: true });
  const s = await page.evaluate(() => window.sluiceDashboard.status);
  const progress = await page.textContent('#bar-text');
  if (!/^100\.0%/.test(progress)) fail('progress bar says ' + progress);
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log(JSON.stringify({ total, max_in_flight_seen: maxSeen, points, checks,
                               dead_by_reason: s.dead_by_reason, progress }));
  await context.close();
}

async function replayPhase(url, reason, done, shot) {
  const { context, page, errors } = await open(url);
  const row = page.locator(`#dlq tr[data-reason="${reason}"]`);
  await row.waitFor({ timeout: 30000 });
  const before = Number((await row.locator('.count').textContent()).replace(/,/g, ''));
  await row.locator('button.replay').click();
  await page.waitForFunction(r => window.sluiceDashboard.replays.some(x => x.reason === r),
                             reason, { timeout: 30000 });
  const replayed = await page.evaluate(r => window.sluiceDashboard.replays.find(x => x.reason === r).replayed, reason);
  if (replayed !== before) fail(`row said ${before} dead, replay answered ${replayed}`);
  await page.waitForFunction(([r, d]) => {
    const s = window.sluiceDashboard.status;
    return s && !s.dead_by_reason[r] && s.jobs.done === d;
  }, [reason, done], { timeout: 60000 });
  // The row is gone from the table once no job is dead for that reason.
  await page.waitForFunction(r => !document.querySelector(`#dlq tr[data-reason="${r}"]`), reason,
                             { timeout: 10000 });
  await page.screenshot({ path: shot, fullPage: true });
  if (errors.length) fail('page errors: ' + errors.join('; '));
  console.log(JSON.stringify({ replayed, done: await page.textContent('#f-done') }));
  await context.close();
}

const [mode, ...args] = process.argv.slice(2);
const main = mode === 'run' ? runPhase(args[0], args[1], Number(args[2]), args[3], args[4])
           : mode === 'replay' ? replayPhase(args[0], args[1], Number(args[2]), args[3])
           : Promise.reject(new Error('usage: dashboard.js run|replay ...'));
main.catch(e => fail(e.stack || String(e)));
