// Progress of a run. On a terminal: one live line per build (queued / running: current step / done /
// failed, with the elapsed time), redrawn in place, with permanent messages (failures) printed above
// them. Otherwise: plain, timestamped log lines, one per event, for CI logs.

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

/** Live lines on a TTY. */
export class TtyReporter implements Reporter {
  private readonly lines = new Map<string, Line>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly labelWidth: () => number;

  constructor(private readonly out: NodeJS.WriteStream, private readonly color: boolean) {
    this.labelWidth = () => Math.max(10, ...[...this.lines.values()].map((l) => l.label.length));
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
    if (!l) return;
    l.step = text;
  }

  finish(key: string, state: Exclude<LineState, 'queued' | 'running'>, detail?: string): void {
    const l = this.lines.get(key);
    if (!l) return;
    l.state = state;
    l.ended = Date.now();
    if (detail !== undefined) l.detail = detail;
    this.redraw();
  }

  message(text: string): void {
    this.clear();
    this.out.write(text.endsWith('\n') ? text : text + '\n');
    this.drawn = 0;
    this.redraw();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.redraw();
  }

  private schedule(): void {
    if (!this.timer) {
      this.timer = setInterval(() => this.redraw(), 250);
      this.timer.unref();
    }
    this.redraw();
  }

  private clear(): void {
    if (this.drawn) this.out.write(`\u001b[${this.drawn}A\u001b[J`);
    this.drawn = 0;
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
    const what = l.state === 'running' ? l.step || 'starting' : l.state === 'failed' || l.state === 'done' || l.state === 'skipped' || l.state === 'cancelled' ? `${l.state}${l.detail ? `: ${l.detail}` : ''}` : 'queued';
    const width = this.out.columns || 100;
    const head = `${sym[l.state]} ${l.label.padEnd(this.labelWidth())}  ${el.padStart(6)}  `;
    const visible = 2 + this.labelWidth() + 2 + 6 + 2;
    const room = Math.max(10, width - visible - 1);
    const w = what.replace(/\s+/g, ' ');
    return head + (w.length > room ? w.slice(0, room - 1) + '…' : w);
  }

  private redraw(): void {
    this.clear();
    const text = [...this.lines.values()].map((l) => this.render(l));
    if (text.length) this.out.write(text.join('\n') + '\n');
    this.drawn = text.length;
  }
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
