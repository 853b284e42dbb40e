// RPM version comparison (rpmvercmp from rpm's lib/rpmvercmp.c, including `~` and `^`), and EVR
// ordering: epoch, then version, then release.

const alnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const alpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !alnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !alnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = digit(a[i]);
    const take = numeric ? digit : alpha;
    let i2 = i;
    let j2 = j;
    while (i2 < a.length && take(a[i2])) i2++;
    while (j2 < b.length && take(b[j2])) j2++;
    const sa = a.slice(i, i2);
    const sb = b.slice(j, j2);
    if (sb === '') return numeric ? 1 : -1;
    if (numeric) {
      const na = sa.replace(/^0+/, '');
      const nb = sb.replace(/^0+/, '');
      if (na.length !== nb.length) return na.length > nb.length ? 1 : -1;
      if (na !== nb) return na > nb ? 1 : -1;
    } else if (sa !== sb) return sa > sb ? 1 : -1;
    i = i2;
    j = j2;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export interface Evr {
  epoch: number;
  version: string;
  release: string;
}

export function compareEvr(a: Evr, b: Evr): number {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

/** `1.2-3.el9`, with `E:` only when the epoch is not 0 (as dnf prints it). */
export function formatEvr(e: Evr): string {
  return `${e.epoch ? `${e.epoch}:` : ''}${e.version}-${e.release}`;
}
