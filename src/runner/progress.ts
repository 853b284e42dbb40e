// Progress of a run. On a terminal (--progress tty, or auto on a TTY): a live region of the running
// builds, finished ones printed above it. Otherwise (--progress plain, or auto elsewhere): plain,
// timestamped log lines, one per event, for CI logs.
import { createLogUpdate } from 'log-update';

export type LineState = 'queued' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface Reporter {
  add(key: string, label: string): void;
  start(key: string): void;
  step(key: string, text: string): void;
  finish(key: string, state: Exclude<LineState, 'queued' | 'running'>, detail?: string): void;
  /** A permanent message (e.g. a failed build's log tail). */
  message(text: string): void;
  close(): void;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

interface Line {
  label: string;
  state: LineState;
  step: string;
  started?: number;
  ended?: number;
  detail?: string;
}

const paint = (on: boolean, code: string, s: string): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/**
 * A live region on a terminal, drawn with log-update: one line per running build and a line counting
 * the queued and finished ones. A finished build is printed once above the region (so the terminal's
 * scrollback keeps it) and leaves the region. The region never has more lines than the terminal has
 * rows minus one: cursor-up cannot reach lines that scrolled off, so a taller region would smear.
 */
export class TtyReporter implements Reporter {
  private readonly lines = new Map<string, Line>();
  private timer: NodeJS.Timeout | undefined;
  private readonly live: ReturnType<typeof createLogUpdate>;
  private closed = false;

  constructor(private readonly out: NodeJS.WritableStream & { columns?: number; rows?: number }, private readonly color: boolean) {
    this.live = createLogUpdate(out, { showCursor: true });
  }

  private labelWidth(): number {
    return Math.max(10, ...[...this.lines.values()].map((l) => l.label.length));
  }

  add(key: string, label: string): void {
    this.lines.set(key, { label, state: 'queued', step: '' });
    this.schedule();
  }

  start(key: string): void {
    const l = this.lines.get(key);
    if (!l) return;
    l.state = 'running';
    l.started = Date.now();
    this.schedule();
  }

  step(key: string, text: string): void {
    const l = this.lines.get(key);
    if (l) l.step = text;
  }

  finish(key: string, state: Exclude<LineState, 'queued' | 'running'>, detail?: string): void {
    const l = this.lines.get(key);
    if (!l) return;
    l.state = state;
    l.ended = Date.now();
    if (detail !== undefined) l.detail = detail;
    this.message(this.render(l));
  }

  message(text: string): void {
    this.live.clear();
    this.out.write(text.endsWith('\n') ? text : text + '\n');
    this.redraw();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.closed) this.live.clear();
    this.closed = true;
  }

  private schedule(): void {
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => this.redraw(), 250);
      this.timer.unref();
    }
    this.redraw();
  }

  /** The region's lines, at most rows - 1 of them. */
  regionLines(): string[] {
    const all = [...this.lines.values()];
    const running = all.filter((l) => l.state === 'running');
    const queued = all.filter((l) => l.state === 'queued').length;
    const finished = all.length - running.length - queued;
    const room = Math.max(2, (this.out.rows || 24) - 1);
    const shown = running.slice(0, room - 1);
    const more = running.length - shown.length;
    const counts = [more && `${more} more running`, queued && `${queued} queued`, `${finished} of ${all.length} finished`].filter(Boolean).join(', ');
    return [...shown.map((l) => this.render(l)), paint(this.color, '2', counts)];
  }

  private redraw(): void {
    if (this.closed) return;
    this.live(this.regionLines().join('\n'));
  }

  private render(l: Line): string {
    const now = Date.now();
    const el = l.started ? formatDuration((l.ended ?? now) - l.started) : '';
    const sym: Record<LineState, string> = {
      queued: paint(this.color, '2', '·'),
      running: paint(this.color, '36', '▶'),
      done: paint(this.color, '32', '✓'),
      failed: paint(this.color, '31', '✗'),
      skipped: paint(this.color, '2', '='),
      cancelled: paint(this.color, '33', '–'),
    };
    const what = l.state === 'running' ? l.step || 'starting' : l.state === 'queued' ? 'queued' : `${l.state}${l.detail ? `: ${l.detail}` : ''}`;
    const width = this.out.columns || 100;
    const lw = this.labelWidth();
    const head = `${sym[l.state]} ${l.label.padEnd(lw)}  ${el.padStart(6)}  `;
    const room = Math.max(10, width - (2 + lw + 2 + 6 + 2) - 1);
    const w = what.replace(/\s+/g, ' ');
    return head + (w.length > room ? w.slice(0, room - 1) + '…' : w);
  }
}

/** The reporter for `--progress` (auto: live on a terminal, plain otherwise; --json: always plain). */
export function createReporter(mode: 'auto' | 'tty' | 'plain', json: boolean, io: { err: NodeJS.WritableStream & { isTTY?: boolean }; color: boolean }): Reporter {
  const tty = mode === 'tty' || (mode === 'auto' && !json && Boolean(io.err.isTTY));
  return tty ? new TtyReporter(io.err, io.color) : new PlainReporter(io.err);
}

/** Plain lines (not a TTY, or --json: progress goes to stderr). */
export class PlainReporter implements Reporter {
  private readonly labels = new Map<string, string>();
  private readonly started = new Map<string, number>();
  private readonly lastStep = new Map<string, string>();
  private readonly t0 = Date.now();

  constructor(private readonly out: NodeJS.WritableStream) {}

  private line(text: string): void {
    const s = Math.floor((Date.now() - this.t0) / 1000);
    this.out.write(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${text}\n`);
  }

  add(key: string, label: string): void {
    this.labels.set(key, label);
  }

  start(key: string): void {
    this.started.set(key, Date.now());
    this.line(`${this.labels.get(key) ?? key}: started`);
  }

  step(key: string, text: string): void {
    if (this.lastStep.get(key) === text) return;
    this.lastStep.set(key, text);
    this.line(`${this.labels.get(key) ?? key}: ${text}`);
  }

  finish(key: string, state: Exclude<LineState, 'queued' | 'running'>, detail?: string): void {
    const st = this.started.get(key);
    const el = st ? ` in ${formatDuration(Date.now() - st)}` : '';
    this.line(`${this.labels.get(key) ?? key}: ${state}${state === 'skipped' ? '' : el}${detail ? ` (${detail})` : ''}`);
  }

  message(text: string): void {
    this.out.write(text.endsWith('\n') ? text : text + '\n');
  }

  close(): void {}
}
