// What `almac diff` reports: per release × image, a flat list of changes in a few categories. The
// JSON output is exactly this structure.

export const CATEGORIES = ['packages', 'operations', 'config', 'assertions', 'platforms', 'naming', 'settings', 'versions'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Change {
  category: Category;
  kind: 'added' | 'removed' | 'changed';
  /** What changed: "install foo", "write /etc/hostname", "ENV LANG", "linux/386", "glibc". */
  subject: string;
  before?: string;
  after?: string;
}

export interface ImageDiff {
  /** "9/minimal" */
  id: string;
  release: string;
  image: string;
  status: 'added' | 'removed' | 'changed';
  changes: Change[];
}

export interface Side {
  label: string;
  commit?: string;
}

export interface DiffReport {
  base: Side;
  head: Side;
  /** Images that differ, in release then image order. */
  images: ImageDiff[];
  /** Ids of the images present on both sides and identical. */
  unchanged: string[];
}
