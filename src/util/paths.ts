// A path inside a directory, for the file system calls of the tree walks and the compiler's
// identity: `dir/rel` as it is. path.join would normalise every one of them (".", "..", doubled
// separators), which is needless for paths built from directory entries and lists almac wrote, and
// costs more than the stat or read it precedes in a short run. Messages never show these paths
// (they show the relative ones).
export function inside(dir: string, rel: string): string {
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}
