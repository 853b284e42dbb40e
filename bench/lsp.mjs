#!/usr/bin/env node
// `npm run bench:lsp`: the language server, measured through a real protocol client over stdio.
//
//   node bench/lsp.mjs [--runs N] [--images N]
//
//  - start-up: spawn `almac lsp` → initialize response (the project is compiled before it), median
//    of N runs, next to spawning `node -e ""` (the floor);
//  - latency: didChange that introduces an error into definitions/images/minimal.alma (a copy of
//    the real definitions) → the publishDiagnostics that reports it; and the change that fixes it →
//    the publishDiagnostics that clears it; medians of N each;
//  - memory: resident set (VmRSS, and its peak VmHWM from /proc) with the synthetic project of
//    --images images (default 10,000; bench/synthetic-tree.mjs) open, after a change was checked.
// A measurement, not a test: it asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { writeSyntheticProject } from './synthetic-tree.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin/almac.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, images: { type: 'string', default: '10000' } } });
const RUNS = Number(values.runs);
const IMAGES = Number(values.images);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;

async function start(dir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { cwd: dir, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const at = performance.now();
    for (const w of [...waiters]) if (w.uri === p.uri && w.test(p.diagnostics)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(at));
  });
  conn.onNotification(() => undefined);
  conn.onRequest(() => null);
  conn.listen();
  const root = pathToFileURL(dir).href;
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: root, capabilities: {}, workspaceFolders: [{ uri: root, name: 'bench' }] });
  const startup = performance.now() - t0;
  conn.sendNotification('initialized', {});
  const next = (uri, test) => new Promise((resolve) => waiters.push({ uri, test, resolve }));
  const stop = async () => {
    await conn.sendRequest('shutdown');
    conn.sendNotification('exit');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    conn.dispose();
  };
  return { child, conn, startup, next, stop };
}

/** CPU time (user + system, ms) the process has used so far; 10 ms resolution. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function rss(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function latency(dir, rel, from, to, runs) {
  const s = await start(dir);
  const uri = pathToFileURL(join(dir, rel)).href;
  const clean = readFileSync(join(dir, rel), 'utf8');
  const broken = clean.replace(from, to);
  if (broken === clean) throw new Error(`${rel} does not contain ${from}`);
  let got = s.next(uri, () => true);
  s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'alma', version: 1, text: clean } });
  await got;
  const toError = [];
  const toClean = [];
  let version = 1;
  const cpu0 = cpuMs(s.child.pid);
  for (let i = 0; i < runs; i++) {
    for (const [text, test, into] of [[broken, (d) => d.length > 0, toError], [clean, (d) => d.length === 0, toClean]]) {
      got = s.next(uri, test);
      const t0 = performance.now();
      s.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
      into.push((await got) - t0);
    }
  }
  const cpuPerChange = (cpuMs(s.child.pid) - cpu0) / (runs * 2);
  const mem = rss(s.child.pid);
  await s.stop();
  return { startup: s.startup, toError: median(toError), toClean: median(toClean), cpuPerChange, mem };
}

const rows = [];
// Start-up.
const real = mkdtempSync(join(tmpdir(), 'almac-bench-lsp-'));
cpSync(join(ROOT, 'definitions'), join(real, 'definitions'), { recursive: true });
const startups = [];
const floors = [];
for (let i = 0; i < RUNS; i++) {
  let t0 = performance.now();
  spawnSync(process.execPath, ['-e', '""']);
  floors.push(performance.now() - t0);
  const s = await start(real);
  startups.push(s.startup);
  await s.stop();
}
rows.push(['start-up to initialize response (real definitions)', ms(median(startups)), `node -e "" ${ms(median(floors))}`]);

const r = await latency(real, 'definitions/images/minimal.alma', '  package-manager microdnf', '  package-manger microdnf', RUNS * 2);
rows.push(['didChange (error) → publishDiagnostics, real definitions', ms(r.toError), 'goal ≤ 50 ms']);
rows.push(['didChange (fix) → publishDiagnostics cleared, real definitions', ms(r.toClean), '']);
rows.push(['server CPU time per change, real definitions (mean)', ms(r.cpuPerChange), 'less sensitive to machine load']);
rows.push(['resident memory, real definitions', `${r.mem.rss.toFixed(0)} MB`, `peak ${r.mem.hwm.toFixed(0)} MB`]);
rmSync(real, { recursive: true, force: true });

if (IMAGES > 0) {
  const synth = mkdtempSync(join(tmpdir(), 'almac-bench-lsp-synth-'));
  writeSyntheticProject(synth, IMAGES);
  const images = join(synth, 'definitions', 'images');
  const sub = readdirSync(images)[0];
  const file = join('definitions', 'images', sub, readdirSync(join(images, sub)).find((f) => f.endsWith('.alma')));
  const text = readFileSync(join(synth, file), 'utf8');
  const line = text.split('\n').find((l) => /^\s+install /.test(l));
  const s = await latency(synth, file, line, line.replace('install', 'instal'), Math.max(3, Math.ceil(RUNS / 3)));
  rows.push([`start-up to initialize response (${IMAGES} images)`, ms(s.startup), '']);
  rows.push([`didChange (error) → publishDiagnostics, ${IMAGES} images`, ms(s.toError), '']);
  rows.push([`server CPU time per change, ${IMAGES} images (mean)`, ms(s.cpuPerChange), '']);
  rows.push([`resident memory, ${IMAGES} images open`, `${s.mem.rss.toFixed(0)} MB`, `peak ${s.mem.hwm.toFixed(0)} MB; goal ≤ 200 MB`]);
  rmSync(synth, { recursive: true, force: true });
}

const w = Math.max(...rows.map((x) => x[0].length));
console.log(`almac lsp (median of ${RUNS} runs; latency ${RUNS * 2} changes each way; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})\n`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(10)}  ${c}`);
