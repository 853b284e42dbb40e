// Which images make up a library file, with which tags: the images whose definitions carry an
// `official-library` block, their `{date}` filled in, and the newest-release tags (`latest`,
// `minimal`) given to the image's newest numbered release only.
import type { ImageSpec } from '../model/spec.js';
import { doiArchitecture, parsePlatform } from './architectures.js';

export interface LibraryEntryPlan {
  spec: ImageSpec;
  library: string;
  /** The directory and file-name part: the image's name (`default`, `minimal`). */
  type: string;
  tags: string[];
  /** DOI architecture → the platform it is built from, in the definition's platform order. */
  architectures: { arch: string; platform: string }[];
}

/** Numbered releases compare by version; a rolling release (version not numeric, 10-kitten) is never "newest". */
function numericVersion(spec: ImageSpec): number[] | undefined {
  return /^\d+(\.\d+)*$/.test(spec.version) ? spec.version.split('.').map(Number) : undefined;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * `allSpecs` is every resolved image (newest is decided among all releases of an image, even when
 * only some are selected); `selected` limits the result. `date` is YYYYMMDD.
 */
export function planLibrary(allSpecs: ImageSpec[], selected: ImageSpec[], date: string, platforms: string[] = []): LibraryEntryPlan[] {
  const newest = new Map<string, ImageSpec>();
  for (const s of allSpecs) {
    if (!s.officialLibrary) continue;
    const v = numericVersion(s);
    const cur = newest.get(s.image);
    if (v && (!cur || compareVersions(v, numericVersion(cur)!) > 0)) newest.set(s.image, s);
  }
  const out: LibraryEntryPlan[] = [];
  for (const s of selected) {
    const ol = s.officialLibrary;
    if (!ol) continue;
    const tags = [...(newest.get(s.image) === s ? ol.newestTags : []), ...ol.tags].map((t) => t.replace(/\{date\}/g, date));
    const architectures: LibraryEntryPlan['architectures'] = [];
    for (const p of s.platforms) {
      if (platforms.length && !platforms.includes(p.name)) continue;
      const arch = doiArchitecture(parsePlatform(p.name));
      if (arch && !architectures.some((a) => a.arch === arch)) architectures.push({ arch, platform: p.name });
    }
    out.push({ spec: s, library: ol.library, type: s.image, tags: [...new Set(tags)], architectures });
  }
  return out;
}

/** `almalinux-9-minimal-amd64.tar.xz` (the library's name, release, type, DOI architecture). */
export function tarballName(e: LibraryEntryPlan, arch: string): string {
  return `${e.library}-${e.spec.release}-${e.type}-${arch}.tar.xz`;
}
