// Full references (`registry/namespace/repository:tag`) of images, and the one date a run fills
// into `{date}`: the run's start in UTC, or SOURCE_DATE_EPOCH when it is set (reproducible builds).
import type { ImageSpec, PublishTarget } from '../model/spec.js';

export interface RunDate {
  /** YYYYMMDD */
  date: string;
  /** Seconds since the epoch the date was taken from. */
  epoch: number;
  source: 'SOURCE_DATE_EPOCH' | 'clock';
}

let memo: RunDate | undefined;

/** The date of this run, decided once per process. Throws on an invalid SOURCE_DATE_EPOCH. */
export function runDate(env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): RunDate {
  if (memo && env === process.env) return memo;
  const raw = env['SOURCE_DATE_EPOCH'];
  let r: RunDate;
  if (raw !== undefined && raw !== '') {
    if (!/^[0-9]{1,12}$/.test(raw)) throw new Error(`SOURCE_DATE_EPOCH must be a whole number of seconds, not \`${raw}\``);
    r = { date: yyyymmdd(new Date(Number(raw) * 1000)), epoch: Number(raw), source: 'SOURCE_DATE_EPOCH' };
  } else {
    const ms = now();
    r = { date: yyyymmdd(new Date(ms)), epoch: Math.floor(ms / 1000), source: 'clock' };
  }
  if (env === process.env) memo = r;
  return r;
}

export function yyyymmdd(d: Date): string {
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function fillDate(tag: string, date: string | undefined): string {
  return date === undefined ? tag : tag.replace(/\{date\}/g, date);
}

/** `location/repository` of one target, e.g. `quay.io/almalinuxorg/9-minimal`. */
export function repositoryOf(t: PublishTarget): string {
  return `${t.location}/${t.repository}`;
}

/** Every full reference of an image, registry by registry; `{date}` kept when no date is given. */
export function references(spec: ImageSpec, date?: string): string[] {
  return spec.publish.flatMap((t) => t.tags.map((tag) => `${repositoryOf(t)}:${fillDate(tag, date)}`));
}
