// A path inside a directory, for the file system calls of the tree walks: `dir/rel` as it is.
// path.join would normalise every one of them (".", "..", doubled separators), which is needless for
// paths the walks build themselves from directory entries, and costs more than the stat or read it
// precedes in a short run. Messages never show these paths (they show the relative ones).
export function inside(dir: string, rel: string): string {
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}
