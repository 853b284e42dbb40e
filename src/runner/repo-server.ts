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
//
// Responses stream: the first request for a file gets the mirror's bytes as they arrive (while they
// are written to the cache), and requests for the same file meanwhile read the growing cache file, so
// a 200 MB package never waits for its last byte before dnf sees the first (dnf's minrate and
// timeouts would trip). A malformed request (bad percent-encoding, control characters, `..`, a
// query) gets a 400; every error is handled inside the handler, and the server listens on 127.0.0.1
// only.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
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

const TIMEOUT_MS = 120_000;
const MAX_PATH = 4096;

/** A file being fetched from the mirror into the cache; readers follow it as it grows. */
class Download extends EventEmitter {
  written = 0;
  done = false;
  failed: string | undefined;
  constructor(readonly tmp: string, readonly file: string, readonly length: number | undefined) {
    super();
    this.setMaxListeners(0);
  }
}

type Started = { download: Download } | { status: number; error?: string };

/** Starts fetching `url`; resolves when the mirror's answer is known (a 200 streams on into `dest`). */
function startFetch(url: string, dest: string, onDone: (d: Download) => void, redirects = 5): Promise<Started> {
  return new Promise((resolvePromise) => {
    let settled = false;
    const settle = (v: Started): void => {
      if (!settled) {
        settled = true;
        resolvePromise(v);
      }
    };
    let req: ReturnType<typeof httpGet>;
    try {
      const getter = url.startsWith('https:') ? httpsGet : httpGet;
      req = getter(url, { timeout: TIMEOUT_MS, headers: { 'user-agent': 'almac-repo-cache' } }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
          res.resume();
          let next: string;
          try {
            next = new URL(res.headers.location, url).toString();
          } catch {
            settle({ status: 502, error: `bad redirect to ${res.headers.location}` });
            return;
          }
          void startFetch(next, dest, onDone, redirects - 1).then(settle);
          return;
        }
        if (status !== 200) {
          res.resume();
          settle({ status });
          return;
        }
        const length = Number(res.headers['content-length']);
        const d = new Download(`${dest}.part-${process.pid}-${Math.random().toString(16).slice(2)}`, dest, Number.isFinite(length) && length >= 0 ? length : undefined);
        const out = createWriteStream(d.tmp);
        const fail = (e: Error): void => {
          if (d.done) return;
          d.done = true;
          d.failed = e.message;
          res.destroy();
          out.destroy();
          void rm(d.tmp, { force: true });
          d.emit('change');
          settle({ status: 502, error: e.message }); // failed before the partial file was open
        };
        res.on('data', (b: Buffer) => {
          if (!out.write(b, () => {
            d.written += b.length;
            d.emit('change');
          })) {
            res.pause();
            out.once('drain', () => res.resume());
          }
        });
        res.on('end', () => out.end());
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('the mirror closed the connection')));
        out.on('error', fail);
        out.on('finish', () => {
          if (d.done) return;
          if (d.length !== undefined && d.written !== d.length) return fail(new Error(`got ${d.written} of ${d.length} bytes`));
          rename(d.tmp, dest).then(() => {
            d.done = true;
            onDone(d);
            d.emit('change');
          }, fail);
        });
        // readers open the partial file, so it must exist before anyone is told of the download
        out.once('ready', () => settle({ download: d }));
      });
    } catch (e) {
      settle({ status: 502, error: (e as Error).message });
      return;
    }
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)));
    req.on('error', (e) => settle({ status: 502, error: e.message }));
  });
}

/** Thrown for a request path that is not a well-formed repository path. */
class BadRequest extends Error {}

/** The decoded path of a request, or BadRequest. */
export function requestPath(rawUrl: string | undefined): string {
  const raw = rawUrl ?? '/';
  if (raw.length > MAX_PATH) throw new BadRequest('path too long');
  if (!raw.startsWith('/')) throw new BadRequest('not an absolute path');
  if (/[?#]/.test(raw)) throw new BadRequest('queries are not served');
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    throw new BadRequest('malformed percent-encoding');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\?#]/.test(path)) throw new BadRequest('control characters, backslashes, ? or # in the path');
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) throw new BadRequest('dot segments');
  return path;
}

export class RepoServer {
  private server: Server | undefined;
  private port = 0;
  /** Per upstream URL: the download (running or done), or the failed answer being reported. */
  private readonly entries = new Map<string, Promise<Started>>();
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
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => this.internalError(res, e));
    });
    // requests node's parser rejects (bad request lines, header floods): answer 400, never crash
    this.server.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 0; // a download may take long; the mirror side has its own timeout
    await new Promise<void>((res, rej) => {
      this.server!.once('error', rej);
      this.server!.listen(0, '127.0.0.1', () => res());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private internalError(res: ServerResponse, e: unknown): void {
    this.stats.errors++;
    this.log.push(`${new Date().toISOString()} internal error: ${(e as Error)?.message ?? String(e)}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    else res.destroy();
  }

  /** http://127.0.0.1:PORT (the literal text PORT before start(), for --dry-run). */
  get address(): string {
    return `http://127.0.0.1:${this.port || 'PORT'}`;
  }

  /**
   * The baseurl builds use for repository `name`. An upstream with $releasever/$basearch is served
   * under …/NAME/RELEASEVER/BASEARCH/: with `vars`, those of one build (a foreign platform's builder
   * need not agree with almac on its base architecture), else left for the consumer's dnf to fill in.
   */
  localUrl(name: string, vars?: { releasever: string; basearch: string }): string {
    const r = this.repos.find((x) => x.name === name);
    if (!r) throw new Error(`repository ${name} is not served`);
    if (!/\$\{?(releasever|basearch)/.test(r.upstream)) return `${this.address}/${name}/`;
    return `${this.address}/${name}/${vars ? `${vars.releasever}/${vars.basearch}` : '$releasever/$basearch'}/`;
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
      if (!v || !/^[A-Za-z0-9._-]+$/.test(v[1]!) || !/^[A-Za-z0-9._-]+$/.test(v[2]!)) return undefined;
      url = url.replace(/\$\{?releasever\}?/g, v[1]!).replace(/\$\{?basearch\}?/g, v[2]!);
      rest = v[3]!;
    }
    return { repo, url: url + rest.split('/').map(encodeURIComponent).join('/') };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const started = Date.now();
    res.on('error', () => undefined); // a client that went away
    req.on('error', () => undefined);
    let path: string;
    try {
      path = requestPath(req.url);
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e;
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad request: ${e.message}\n`);
      this.log.push(`${new Date().toISOString()} ${req.method} ${JSON.stringify(req.url?.slice(0, 200))} 400 (${e.message})`);
      return;
    }
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
    const hit = pending !== undefined;
    if (!pending) {
      const file = join(this.cacheDir, createHash('sha256').update(target.url).digest('hex'));
      pending = startFetch(target.url, file, (d) => {
        this.stats.upstreamFetches++;
        if (target.url.endsWith('.rpm')) this.stats.upstreamRpmFetches++;
        this.stats.bytesFromUpstream += d.written;
      });
      this.entries.set(target.url, pending);
    }
    const e = await pending;
    if (!('download' in e)) {
      // not cached: a later request tries again
      if (this.entries.get(target.url) === pending) this.entries.delete(target.url);
      if (e.status >= 500) this.stats.errors++;
      res.writeHead(e.status === 404 ? 404 : 502, { 'content-type': 'text/plain' }).end(`${target.url}: ${e.error ?? `HTTP ${e.status}`}\n`);
      note(`${e.status} from ${target.url}${e.error ? `: ${e.error}` : ''}`);
      return;
    }
    const d = e.download;
    if (d.failed) {
      if (this.entries.get(target.url) === pending) this.entries.delete(target.url);
    }
    if (hit) this.stats.cacheHits++;
    const length = d.done && !d.failed ? d.written : d.length;
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...(length !== undefined ? { 'content-length': length } : {}) });
    if (req.method === 'HEAD') {
      res.end();
      note(`200 HEAD`);
      return;
    }
    if (d.done && !d.failed) {
      await pipeFile(createReadStream(d.file), res);
    } else {
      await this.follow(d, res);
    }
    if (d.failed && this.entries.get(target.url) === pending) this.entries.delete(target.url);
    note(`200 ${hit ? 'cache' : 'mirror'} ${d.written} bytes${d.failed ? ` (mirror failed: ${d.failed})` : ''}`);
  }

  /** Streams a download to a client as it grows; a failed download ends the response early. */
  private async follow(d: Download, res: ServerResponse): Promise<void> {
    const fh = await open(d.tmp, 'r').catch(() => undefined);
    if (!fh) {
      // Renamed into place (done) or removed (failed) meanwhile. The rename is visible before its
      // promise settles and sets `done`, so wait for the download to say which it was.
      while (!d.done && !res.destroyed) await oneOf(d, 'change', res, 'close');
      if (d.done && !d.failed) return pipeFile(createReadStream(d.file), res);
      res.destroy();
      return;
    }
    try {
      const buf = Buffer.alloc(256 * 1024);
      let pos = 0;
      for (;;) {
        if (res.destroyed) return;
        if (pos < d.written) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, d.written - pos), pos);
          if (bytesRead === 0) continue;
          pos += bytesRead;
          if (!res.write(buf.subarray(0, bytesRead))) await oneOf(res, 'drain', res, 'close');
          continue;
        }
        if (d.failed) {
          res.destroy(); // a truncated answer: dnf retries
          return;
        }
        if (d.done) {
          res.end();
          return;
        }
        await oneOf(d, 'change', res, 'close');
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
}

/** Resolves on the first of two events, removing both listeners. */
function oneOf(a: EventEmitter, ea: string, b: EventEmitter, eb: string): Promise<void> {
  return new Promise((resolvePromise) => {
    const done = (): void => {
      a.off(ea, done);
      b.off(eb, done);
      resolvePromise();
    };
    a.on(ea, done);
    b.on(eb, done);
  });
}

function pipeFile(stream: NodeJS.ReadableStream, res: ServerResponse): Promise<void> {
  return new Promise((resolvePromise) => {
    stream.on('error', () => {
      res.destroy();
      resolvePromise();
    });
    res.on('close', () => resolvePromise());
    stream.pipe(res);
  });
}
