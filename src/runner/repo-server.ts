// almac's package cache for http(s)/ftp repositories: a small HTTP server on 127.0.0.1 that the builds'
// dnf talks to instead of the mirror (`--repo NAME=URL` becomes baseurl=http://127.0.0.1:PORT/NAME/…).
// Every file is fetched from the mirror at most once per run and served from a per-run cache
// directory afterwards, so N images that share packages download each package once, and all builds of
// a run see the same snapshot of the repository metadata. Concurrent requests for the same file wait
// for the one download. The cache is removed when the run ends (a mirror may replace a file under the
// same name between runs; dnf's checksum verification would then fail on a stale copy).
//
// URLs with $releasever/$basearch: the served path carries them (…/NAME/$releasever/$basearch/…),
// dnf fills them in, and the server substitutes them into the mirror URL.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createServer, get as httpGet, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export interface ProxiedRepo {
  name: string;
  /** Mirror base URL, ending in '/', possibly with $releasever / $basearch. */
  upstream: string;
}

export interface RepoServerStats {
  requests: number;
  /** Files fetched from mirrors. */
  upstreamFetches: number;
  /** Of those, .rpm files. */
  upstreamRpmFetches: number;
  /** Requests answered from the cache (including those that waited for a running download). */
  cacheHits: number;
  bytesFromUpstream: number;
  errors: number;
}

interface Entry {
  file: string;
  size: number;
}

const TIMEOUT_MS = 120_000;

function fetchTo(url: string, dest: string, redirects = 5): Promise<{ status: number; size: number; error?: string }> {
  return new Promise((resolvePromise) => {
    const getter = url.startsWith('https:') ? httpsGet : httpGet;
    const req = getter(url, { timeout: TIMEOUT_MS, headers: { 'user-agent': 'almac-repo-cache' } }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolvePromise(fetchTo(new URL(res.headers.location, url).toString(), dest, redirects - 1));
        return;
      }
      if (status !== 200) {
        res.resume();
        resolvePromise({ status, size: 0 });
        return;
      }
      const tmp = `${dest}.part-${process.pid}-${Math.random().toString(16).slice(2)}`;
      const out = createWriteStream(tmp);
      let size = 0;
      res.on('data', (b: Buffer) => (size += b.length));
      res.pipe(out);
      const fail = (e: Error): void => {
        out.destroy();
        void rm(tmp, { force: true });
        resolvePromise({ status: 502, size: 0, error: e.message });
      };
      res.on('error', fail);
      out.on('error', fail);
      out.on('finish', () => {
        rename(tmp, dest).then(() => resolvePromise({ status: 200, size }), fail);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)));
    req.on('error', (e) => resolvePromise({ status: 502, size: 0, error: e.message }));
  });
}

export class RepoServer {
  private server: Server | undefined;
  private port = 0;
  private readonly entries = new Map<string, Promise<Entry | { status: number; error?: string }>>();
  readonly stats: RepoServerStats = { requests: 0, upstreamFetches: 0, upstreamRpmFetches: 0, cacheHits: 0, bytesFromUpstream: 0, errors: 0 };
  private readonly log: string[] = [];

  constructor(private readonly repos: ProxiedRepo[], private readonly cacheDir: string) {}

  private starting: Promise<void> | undefined;

  /** Starts listening on 127.0.0.1 (a free port); concurrent callers share one start. */
  start(): Promise<void> {
    this.starting ??= this.listen();
    return this.starting;
  }

  private async listen(): Promise<void> {
    await mkdir(this.cacheDir, { recursive: true });
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((res, rej) => {
      this.server!.once('error', rej);
      this.server!.listen(0, '127.0.0.1', () => res());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** http://127.0.0.1:PORT (the literal text PORT before start(), for --dry-run). */
  get address(): string {
    return `http://127.0.0.1:${this.port || 'PORT'}`;
  }

  /** The baseurl builds use for repository `name`. */
  localUrl(name: string): string {
    const r = this.repos.find((x) => x.name === name);
    if (!r) throw new Error(`repository ${name} is not served`);
    return `${this.address}/${name}/${/\$\{?(releasever|basearch)/.test(r.upstream) ? '$releasever/$basearch/' : ''}`;
  }

  /** What the server did, one line per request. */
  logLines(): string[] {
    return [...this.log];
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    if (this.server) {
      this.server.closeAllConnections?.();
      await new Promise<void>((res) => this.server!.close(() => res()));
      this.server = undefined;
    }
    await rm(this.cacheDir, { recursive: true, force: true });
  }

  private upstreamUrl(path: string): { repo: ProxiedRepo; url: string } | undefined {
    const m = /^\/([^/]+)\/(.*)$/.exec(path);
    if (!m) return undefined;
    const repo = this.repos.find((r) => r.name === m[1]);
    if (!repo) return undefined;
    let rest = m[2]!;
    let url = repo.upstream;
    if (/\$\{?(releasever|basearch)/.test(url)) {
      const v = /^([^/]+)\/([^/]+)\/(.*)$/.exec(rest);
      if (!v) return undefined;
      url = url.replace(/\$\{?releasever\}?/g, v[1]!).replace(/\$\{?basearch\}?/g, v[2]!);
      rest = v[3]!;
    }
    if (rest.split('/').some((seg) => seg === '..')) return undefined;
    return { repo, url: url + rest };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const started = Date.now();
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const note = (what: string): void => {
      this.log.push(`${new Date().toISOString()} ${req.method} ${path} ${what} (${Date.now() - started} ms)`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      note('405');
      return;
    }
    const target = this.upstreamUrl(path);
    if (!target) {
      res.writeHead(404).end();
      note('404 (unknown repository)');
      return;
    }
    let pending = this.entries.get(target.url);
    let hit = true;
    if (!pending) {
      hit = false;
      const file = join(this.cacheDir, createHash('sha256').update(target.url).digest('hex'));
      pending = (async () => {
        const r = await fetchTo(target.url, file);
        if (r.status !== 200) return { status: r.status, ...(r.error ? { error: r.error } : {}) };
        this.stats.upstreamFetches++;
        if (target.url.endsWith('.rpm')) this.stats.upstreamRpmFetches++;
        this.stats.bytesFromUpstream += r.size;
        return { file, size: (await stat(file)).size };
      })();
      this.entries.set(target.url, pending);
    }
    const e = await pending;
    if ('status' in e) {
      // not cached: a later request tries again
      this.entries.delete(target.url);
      if (e.status >= 500) this.stats.errors++;
      res.writeHead(e.status === 404 ? 404 : 502, { 'content-type': 'text/plain' }).end(`${target.url}: ${e.error ?? `HTTP ${e.status}`}\n`);
      note(`${e.status} from ${target.url}${e.error ? `: ${e.error}` : ''}`);
      return;
    }
    if (hit) this.stats.cacheHits++;
    res.writeHead(200, { 'content-length': e.size, 'content-type': 'application/octet-stream' });
    if (req.method === 'HEAD') {
      res.end();
    } else {
      createReadStream(e.file).on('error', () => res.destroy()).pipe(res);
    }
    note(`200 ${hit ? 'cache' : 'mirror'} ${e.size} bytes`);
  }
}
