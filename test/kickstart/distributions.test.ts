// A second distribution, as a separate project root: Rocky Linux's container images, written from
// Rocky's own container kickstarts (test/fixtures/distributions/rocky/upstream). The set is
// generated with the real CLI into a temporary copy, every kickstart must pass the strict
// validator for its release's handler, and each is compared with its original section by section:
// commands, %pre, %addon, %packages and %post (the last through rocky-correspondence.ts).
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import { runCli, tempDir } from '../helpers/project.js';
import { PACKAGE_SPELLING, ROCKY_POST } from './rocky-correspondence.js';
import { formatFindings, handlerForReleasever, loadDialects, parseOptions, shlexSplit, validateKickstart, type Handler } from './validate.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/distributions/rocky');
const UPSTREAM = join(FIXTURE, 'upstream');
const ORIGINALS = readdirSync(UPSTREAM).filter((f) => f.endsWith('.ks')).sort();

interface Section {
  tag: string;
  header: string[];
  body: string[];
}

interface KickstartDoc {
  commands: Map<string, string[]>;
  sections: Section[];
}

/** Option spellings that mean the same for pykickstart: aliases, and the unique prefix upstream relies on. */
const ALIASES: Record<string, Record<string, string>> = {
  timezone: { '--isUtc': '--utc' },
  bootloader: { '--disable': '--disabled' },
  '%packages': { '--instLangs': '--inst-langs', '--excludeWeakdeps': '--exclude-weakdeps' },
};

/**
 * One command or section header in canonical form: aliases resolved, `--opt value` as
 * `--opt=value`, options sorted after the positionals. NTP is switched off with `timezone --nontp`
 * before RHEL 9 and `timesource --ntp-disable` from RHEL 9; both become `timesource --ntp-disable`.
 */
function canonical(name: string, words: string[], handler: Handler): { name: string; words: string[] }[] {
  const d = loadDialects().handlers[handler];
  const alias = ALIASES[name] ?? {};
  const mapped = words.map((w) => {
    const [k, ...v] = w.split('=');
    return (alias[k!] ?? k) + (v.length ? '=' + v.join('=') : '');
  });
  const out: { name: string; words: string[] }[] = [];
  let rest = mapped;
  if (name === 'timezone' && rest.includes('--nontp')) {
    rest = rest.filter((w) => w !== '--nontp');
    out.push({ name: 'timesource', words: ['--ntp-disable'] });
  }
  const spec = name.startsWith('%') ? d.sections[name as '%packages'] : d.commands[name];
  // %addon options belong to the add-on: compared as written.
  if (!spec || spec.anyOptions) return [{ name, words: rest }, ...out];
  const loose = { ...spec, deprecated: undefined, removed: undefined, values: [...spec.values, '--nontp'] };
  const p = parseOptions(name, rest, loose, handler, () => {});
  const opts = [...p.options.entries()].map(([k, v]) => (v === true ? k : `${k}=${v}`)).sort();
  return [{ name, words: [...p.positionals, ...opts] }, ...out];
}

/** Joins continuation lines and collapses blanks: the "logical" lines of a script. */
function logicalLines(lines: string[]): string[] {
  const out: string[] = [];
  let acc = '';
  for (const raw of lines) {
    const l = raw.trim();
    if (l.endsWith('\\') && !l.endsWith('\\\\')) {
      acc += l.slice(0, -1) + ' ';
      continue;
    }
    const full = (acc + l).replace(/\s+/g, ' ').trim();
    acc = '';
    if (full && !full.startsWith('#')) out.push(full);
  }
  return out;
}

function readKickstart(text: string, handler: Handler): KickstartDoc {
  const doc: KickstartDoc = { commands: new Map(), sections: [] };
  let open: Section | undefined;
  for (const raw of text.split('\n')) {
    const t = raw.trim();
    if (open) {
      if (t === '%end') {
        doc.sections.push(open);
        open = undefined;
      } else open.body.push(raw);
      continue;
    }
    if (!t || t.startsWith('#')) continue;
    const words = shlexSplit(t);
    if (words[0]!.startsWith('%')) {
      const [c] = canonical(words[0]!, words.slice(1), handler);
      open = { tag: words[0]!, header: c!.words, body: [] };
    } else {
      for (const c of canonical(words[0]!, words.slice(1), handler)) {
        expect(doc.commands.has(c.name), `${c.name} given twice`).toBe(false);
        doc.commands.set(c.name, c.words);
      }
    }
  }
  return doc;
}

const packageLines = (s: Section) => s.body.map((l) => l.split('#')[0]!.trim()).filter((l) => l);
const sectionsOf = (d: KickstartDoc, tag: string) => d.sections.filter((s) => s.tag === tag);

let root: string;
let generatedDir: string;
let cli: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  root = tempDir('almac-rocky-');
  cpSync(join(FIXTURE, 'definitions'), join(root, 'definitions'), { recursive: true });
  cli = await runCli(['generate', '--root', root]);
  generatedDir = join(root, 'generated', 'kickstarts');
}, 60_000);

describe('a second distribution in a separate root (Rocky Linux)', () => {
  it('generates with the real CLI, and fmt leaves its definitions as they are', async () => {
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(readdirSync(generatedDir).sort()).toEqual(ORIGINALS);
    const fmt = await runCli(['fmt', '--check', '--root', FIXTURE]);
    expect(fmt.stdout + fmt.stderr).toBe('');
    expect(fmt.code).toBe(0);
    const check = await runCli(['check', '--root', root]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  for (const file of ORIGINALS) {
    const releasever = /^Rocky-(\d+)-/.exec(file)![1]!;
    const handler = handlerForReleasever(releasever);
    describe(file, () => {
      const original = () => readKickstart(readFileSync(join(UPSTREAM, file), 'utf8'), handler);
      const generatedText = () => readFileSync(join(generatedDir, file), 'utf8');
      const generated = () => readKickstart(generatedText(), handler);

      it(`passes the strict ${handler} validator with no errors and no warnings`, () => {
        const r = validateKickstart(generatedText(), handler);
        expect(formatFindings(r)).toBe('');
        expect(generatedText()).toContain(`# Kickstart for rockylinux/${releasever}-${/Minimal/.test(file) ? 'minimal' : 'base'} — Rocky Linux ${releasever}, image`);
      });

      it('has the same commands, with the same options', () => {
        const o = original();
        const g = generated();
        // `install` is gone from every RHEL handler's container use; upstream has none.
        expect(Object.fromEntries(g.commands)).toEqual(Object.fromEntries(o.commands));
      });

      it('has the same %pre and %addon sections', () => {
        const o = original();
        const g = generated();
        for (const tag of ['%pre', '%addon']) {
          const strip = (d: KickstartDoc) => sectionsOf(d, tag).map((s) => ({ header: s.header, body: logicalLines(s.body) }));
          expect(strip(g), tag).toEqual(strip(o));
        }
      });

      it('has the same %packages options and package lines', () => {
        const [o] = sectionsOf(original(), '%packages');
        const [g] = sectionsOf(generated(), '%packages');
        expect([...g!.header].sort()).toEqual([...o!.header].sort());
        const spelt = packageLines(o!).map((l) => PACKAGE_SPELLING[l]?.generated ?? l);
        expect([...packageLines(g!)].sort()).toEqual([...spelt].sort());
      });

      it('does what the upstream %post does, line by line (rocky-correspondence.ts)', () => {
        const [o] = sectionsOf(original(), '%post');
        const posts = sectionsOf(generated(), '%post');
        // Upstream runs one chrooted %post; its options are those of almac's chrooted section.
        const chrooted = posts.find((p) => !p.header.includes('--nochroot'))!;
        expect(chrooted.header).toEqual(o!.header);
        const table = ROCKY_POST[file]!;
        const upstream = logicalLines(o!.body);
        expect(upstream.filter((l) => !table.some((t) => t.upstream === l)), 'upstream lines missing from the table').toEqual([]);
        expect(table.filter((t) => !upstream.includes(t.upstream)).map((t) => t.upstream), 'table lines not in upstream').toEqual([]);
        const ours = posts.flatMap((p) => logicalLines(p.body));
        for (const t of table) for (const g of t.generated) expect(ours.some((l) => l.includes(g)), `${t.upstream} → ${g}`).toBe(true);
        // Nothing else: every generated line is the prelude, or listed in the table.
        const prelude = ['set -eu', 'root="${ANA_INSTALL_PATH:-/mnt/sysimage}"', 'export root', "')"];
        const unexplained = ours.filter((l) => !prelude.includes(l) && !table.some((t) => t.generated.some((g) => l.includes(g))));
        expect(unexplained).toEqual([]);
      });
    });
  }
});
