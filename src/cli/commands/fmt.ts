// `almac fmt [--check] [FILES…]`: rewrite definitions in the one canonical layout (src/format/).
// A file with syntax errors is reported and left untouched; the others are still formatted.
import { error, fileSpan, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { formatSource } from '../../format/format.js';
import { fmtTargets, readText, rewriteFile } from '../../format/files.js';
import { EXIT, diagnosticsJson, printDiagnostics, printJson } from '../io.js';

export interface FmtOptions {
  root: string;
  json: boolean;
  check: boolean;
  files: string[];
  /** Where relative FILES are resolved; the current directory by default. */
  cwd?: string;
}

type Status = 'unchanged' | 'reformatted' | 'would-reformat' | 'error';

interface FileResult {
  path: string;
  status: Status;
  diagnostics: Diagnostic[];
}

export function runFmt(o: FmtOptions): number {
  const found = fmtTargets(o.root, o.cwd ?? process.cwd(), o.files);
  if ('missing' in found) {
    process.stderr.write(`error: no such file or directory: ${found.missing}\n`);
    return EXIT.usage;
  }
  if (!found.targets.length) {
    process.stderr.write(`error: no .alma files to format${o.files.length ? ' in the given directories' : ' under definitions/'}\n`);
    return EXIT.usage;
  }
  const results: FileResult[] = [];
  const sources = new Map<string, string>();
  for (const t of found.targets) {
    const read = readText(t.file);
    if ('problem' in read) {
      results.push({ path: t.display, status: 'error', diagnostics: [error('E101', fileSpan(t.display), read.problem, { expected: 'a readable UTF-8 text file' })] });
      continue;
    }
    sources.set(t.display, read.text);
    const r = formatSource(t.display, read.text);
    if (r.text === undefined) {
      results.push({ path: t.display, status: 'error', diagnostics: r.diagnostics });
      continue;
    }
    // A file that only loses its byte-order mark still changes.
    if (r.text === read.text && !read.bom) results.push({ path: t.display, status: 'unchanged', diagnostics: [] });
    else if (o.check) results.push({ path: t.display, status: 'would-reformat', diagnostics: [] });
    else {
      try {
        rewriteFile(t.file, r.text);
      } catch (e) {
        process.stderr.write(`error: cannot write ${t.display}: ${(e as Error).message}\n`);
        return EXIT.environment;
      }
      results.push({ path: t.display, status: 'reformatted', diagnostics: [] });
    }
  }
  return report(o, results, sources);
}

function report(o: FmtOptions, results: FileResult[], sources: Map<string, string>): number {
  const errors = results.filter((r) => r.status === 'error');
  const changed = results.filter((r) => r.status === 'would-reformat' || r.status === 'reformatted');
  const failed = errors.length > 0 || (o.check && changed.length > 0);
  if (o.json) {
    printJson({
      ok: !failed,
      check: o.check,
      files: results.map((r) => ({ path: r.path, status: r.status, ...(r.diagnostics.length ? { diagnostics: diagnosticsJson(r.diagnostics) } : {}) })),
    });
    return failed ? EXIT.failed : EXIT.ok;
  }
  const errorDiagnostics = errors.flatMap((r) => r.diagnostics);
  printDiagnostics(errorDiagnostics, sources);
  for (const r of errors) process.stderr.write(`${r.path} was left untouched.\n`);
  if (o.check) {
    // Like `gofmt -l`: the files, one per line, so the list can be piped.
    for (const r of changed) process.stdout.write(`${r.path}\n`);
    if (changed.length) process.stderr.write(`${changed.length} of ${results.length} file${results.length === 1 ? '' : 's'} would be reformatted; run \`almac fmt\`.\n`);
  } else {
    for (const r of changed) process.stdout.write(`reformatted ${r.path}\n`);
    const unchanged = results.length - changed.length - errors.length;
    process.stdout.write(`${changed.length} file${changed.length === 1 ? '' : 's'} reformatted, ${unchanged} already formatted${errors.length ? `, ${errors.length} with errors` : ''}.\n`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
