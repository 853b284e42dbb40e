// almac's package cache, between a real HTTP mirror (a local node server that counts requests) and
// concurrent clients.
import { createServer, get, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
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

// --- hostile requests and streaming ----------------------------------------------------------------

/** Sends raw bytes on a fresh connection; resolves with the status line (or 'closed'), 'HANG' after ms. */
function rawRequest(port: number, bytes: string, ms = 5000): Promise<string> {
  return new Promise((res) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    const t = setTimeout(() => {
      sock.destroy();
      res('HANG');
    }, ms);
    sock.on('data', (b) => {
      data += b.toString('latin1');
      if (data.includes('\r\n')) {
        clearTimeout(t);
        sock.destroy();
        res(data.slice(0, data.indexOf('\r\n')));
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(t);
      res(data ? data.split('\r\n')[0]! : 'closed');
    });
    sock.write(bytes);
  });
}

/** Deterministic hostile request paths: broken escapes, traversal, control bytes, huge, odd bytes. */
function hostilePaths(n: number): string[] {
  const fixed = [
    '/fixture/%E0%A4%A', '/fixture/%', '/fixture/%%', '/fixture/%zz', '/fixture/%C0%AF', '/fixture/%ED%A0%80', '/fixture/%FF%FE',
    '/fixture/..', '/fixture/../../etc/passwd', '/fixture/%2e%2e/%2e%2e/etc/passwd', '/fixture/.%2e/x', '/fixture/a/%2E/b',
    '/fixture/a%00b.rpm', '/fixture/a%0d%0aSet-Cookie:%20x', '/fixture/a%5c..%5cb', '/fixture/a?x=1', '/fixture/a#frag',
    '*', 'fixture/a.rpm', 'http://evil.example/x', '//fixture//a.rpm', '/', '/fixture', '/fixture/', '/%2F%2F', '/fixture/%2F',
    `/fixture/${'a'.repeat(5000)}`, `/fixture/${'%41'.repeat(3000)}`, '/fixture/\u00ff', '/fixture/%u0041',
  ];
  const out = [...fixed];
  let seed = 7;
  const rnd = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const atoms = ['%', '%E0', '%A4', '%2e', '%2F', '%00', '%0a', '..', '.', '/', '\\', 'a', 'Z', '%ZZ', '~', '%C3%A9', '%F0%9F', ';', '&', '$', '{', '%7B', '+'];
  while (out.length < n) {
    const parts = Array.from({ length: 1 + rnd(12) }, () => atoms[rnd(atoms.length)]!);
    out.push(`/${rnd(3) ? 'fixture' : 'r'}/${parts.join('')}`);
  }
  return out;
}

describe('RepoServer against hostile requests', () => {
  it('answers 1,000+ malformed or hostile paths without crashing or hanging', async () => {
    const s = new RepoServer([{ name: 'fixture', upstream: `${mirrorUrl}/9/x86_64/` }, { name: 'r', upstream: `${mirrorUrl}/$releasever/$basearch/` }], join(tmp, 'hostile'));
    await s.start();
    const port = Number(new URL(s.address).port);
    const paths = hostilePaths(1200);
    const results: string[] = [];
    for (let i = 0; i < paths.length; i += 50) {
      // raw request lines: no client library normalises or rejects them first
      const batch = paths.slice(i, i + 50).map((p) => rawRequest(port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      results.push(...(await Promise.all(batch)));
    }
    const hangs = results.filter((r) => r === 'HANG').length;
    const crashes = results.filter((r) => !/^HTTP\/1\.1 \d{3}/.test(r)).length;
    expect({ requests: results.length, hangs, crashes }).toEqual({ requests: paths.length, hangs: 0, crashes: 0 });
    expect(results.filter((r) => r.startsWith('HTTP/1.1 5')).length).toBe(0); // no internal errors
    expect(await rawRequest(port, 'GET /fixture/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawRequest(port, 'NOT A REQUEST\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    // and it still serves
    expect((await fetchText(`${s.localUrl('fixture')}ok.rpm`)).status).toBe(200);
    await s.stop();
  }, 120_000);

  it('listens on 127.0.0.1 only', async () => {
    const s = new RepoServer([{ name: 'fixture', upstream: `${mirrorUrl}/9/x86_64/` }], join(tmp, 'lo'));
    await s.start();
    expect(s.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s.stop();
  });

  it('streams a download while it arrives, to the first client and to one that joins meanwhile', async () => {
    // Many rounds: the first client must get the first bytes however the partial file's creation
    // races with the handler (a client told of a download before its file existed waited forever).
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const slow = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': 12 });
      res.write('first-half\n');
      void gate.then(() => res.end('!'));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    const s = new RepoServer([{ name: 'big', upstream: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/` }], join(tmp, 'stream'));
    await s.start();
    const within = <T,>(p: Promise<T>, what: string): Promise<T> =>
      Promise.race([p, new Promise<T>((_r, rej) => setTimeout(() => rej(new Error(`${what}: nothing within 5 s`)), 5000))]);
    const firstBytes = (url: string): Promise<{ first: string; all: Promise<string> }> =>
      new Promise((res, rej) => {
        get(url, (r) => {
          let body = '';
          let told = false;
          let done!: (b: string) => void;
          const all = new Promise<string>((d) => (done = d));
          r.on('data', (b: Buffer) => {
            body += b.toString();
            if (!told) {
              told = true;
              res({ first: body, all });
            }
          });
          r.on('end', () => done(body));
        }).on('error', rej);
      });
    const rounds = 40;
    for (let i = 0; i < rounds; i++) {
      const url = `${s.localUrl('big')}huge-${i}.rpm`;
      const a = await within(firstBytes(url), `round ${i}, first client`); // before the mirror has sent everything
      expect(a.first).toBe('first-half\n');
      const b = await within(firstBytes(url), `round ${i}, second client`);
      expect(b.first.startsWith('first-half')).toBe(true);
      release();
      expect(await within(a.all, `round ${i}, first client's end`)).toBe('first-half\n!');
      expect(await within(b.all, `round ${i}, second client's end`)).toBe('first-half\n!');
      gate = new Promise<void>((r) => (release = r));
    }
    expect(s.stats.upstreamFetches).toBe(rounds);
    await s.stop();
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
  });
});
