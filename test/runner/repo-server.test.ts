// almac's package cache, between a real HTTP mirror (a local node server that counts requests) and
// concurrent clients.
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepoServer } from '../../src/runner/repo-server.js';

const hits: string[] = [];
let mirror: Server;
let mirrorUrl = '';
const tmp = mkdtempSync(join(tmpdir(), 'almac-cache-'));

beforeAll(async () => {
  mirror = createServer((req, res) => {
    hits.push(req.url ?? '');
    const path = req.url ?? '';
    if (path.endsWith('/missing.rpm')) return void res.writeHead(404).end();
    if (path.startsWith('/redirect/')) return void res.writeHead(302, { location: path.replace('/redirect/', '/9/x86_64/') }).end();
    // a slow response, so that concurrent requests overlap
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(`content of ${path}`), 100);
  });
  await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', () => r()));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => mirror.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    get(url, (r) => {
      let body = '';
      r.on('data', (b: Buffer) => (body += b.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    }).on('error', rej);
  });
}

describe('RepoServer', () => {
  it('fetches every file from the mirror once, however many builds ask for it at the same time', async () => {
    const cache = join(tmp, 'c1');
    const s = new RepoServer([{ name: 'fixture', upstream: `${mirrorUrl}/9/x86_64/` }], cache);
    await Promise.all([s.start(), s.start()]);
    const base = s.localUrl('fixture');
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fixture\/$/);
    hits.length = 0;
    const urls = [...Array(6)].flatMap(() => [`${base}Packages/bash-5.1.rpm`, `${base}repodata/repomd.xml`]);
    const got = await Promise.all(urls.map(fetchText));
    expect(got.every((g) => g.status === 200)).toBe(true);
    expect(got[0]!.body).toBe('content of /9/x86_64/Packages/bash-5.1.rpm');
    expect(hits.sort()).toEqual(['/9/x86_64/Packages/bash-5.1.rpm', '/9/x86_64/repodata/repomd.xml']);
    expect(s.stats).toMatchObject({ upstreamFetches: 2, upstreamRpmFetches: 1, cacheHits: 10 });
    await s.stop();
    expect(existsSync(cache)).toBe(false); // per run
  });

  it('fills in $releasever and $basearch, follows redirects and passes 404s on (uncached)', async () => {
    const s = new RepoServer([{ name: 'baseos', upstream: `${mirrorUrl}/$releasever/$basearch/` }, { name: 'r', upstream: `${mirrorUrl}/redirect/` }], join(tmp, 'c2'));
    await s.start();
    const base = s.localUrl('baseos');
    expect(base).toMatch(/\/baseos\/\$releasever\/\$basearch\/$/);
    const ok = await fetchText(base.replace('$releasever', '9').replace('$basearch', 'x86_64') + 'a.rpm');
    expect(ok).toEqual({ status: 200, body: 'content of /9/x86_64/a.rpm' });
    expect((await fetchText(`${s.localUrl('r')}b.rpm`)).body).toBe('content of /9/x86_64/b.rpm');
    hits.length = 0;
    expect((await fetchText(`${s.localUrl('r')}missing.rpm`)).status).toBe(404);
    expect((await fetchText(`${s.localUrl('r')}missing.rpm`)).status).toBe(404);
    expect(hits.length).toBe(2);
    expect((await fetchText(`${s.address}/unknown/x`)).status).toBe(404);
    expect((await fetchText(`${s.address}/r/../../etc/passwd`)).status).toBe(404);
    await s.stop();
  });
});
