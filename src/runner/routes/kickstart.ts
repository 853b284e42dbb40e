// --via kickstart: the committed kickstart, turned into an image.
//   - livemedia-creator on PATH (an EL host with lorax): `livemedia-creator --no-virt --make-tar`, then
//     the tarball is imported with the definition's config.
//   - otherwise almac's own executor:
//       1. %packages installed with the host's `dnf --installroot` into an empty root (its own dnf.conf
//          and repository files: nothing of the host's /etc/dnf or /etc/yum.repos.d is read; the rpmdb
//          goes to /var/lib/rpm through HOME=<dir with .rpmmacros>, Debian's rpm otherwise uses ~/.rpmdb);
//       2. each %post in file order: `--nochroot` sections in a container of the builder image with the
//          root bind-mounted at /mnt/sysimage and ANA_INSTALL_PATH set — the same host-side tools as the
//          Containerfile's build stage, and the host's own /etc (e.g. /etc/rpm) is never written;
//          the other sections with `chroot ROOT /bin/sh -eu SCRIPT` in private PID and mount namespaces
//          (/proc and /dev mounted for the script, gone with the namespace);
//       3. the root packed with tar and imported with the definition's CMD, ENTRYPOINT, ENV, LABELs,
//          STOPSIGNAL, USER and WORKDIR (plus the default PATH a `FROM scratch` build gets).
//     %post sections without --erroronfail may fail (anaconda's semantics: logged, not fatal).
import { existsSync, lstatSync, mkdirSync, rmSync, rmdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { diesWithParent, type ExecResult, type ImageChanges } from '../engine/index.js';
import type { ImageSpec } from '../../model/spec.js';
import { IGNORED_COMMANDS, KickstartError, parseKickstart, UNSUPPORTED_COMMANDS, URL_REPO_NAME, type Kickstart } from '../kickstart.js';
import { StepError, type JobContext } from '../job.js';
import { renderRepoFile, type ResolvedRepo } from '../repos.js';

/** What a `FROM scratch` build puts in Env (buildah/podman/docker default), so both routes agree. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Image config of the definition, as import changes. */
export function imageChanges(spec: ImageSpec): ImageChanges {
  const c = spec.config;
  const env: Record<string, string> = {};
  if (!c.env.some(([k]) => k === 'PATH')) env['PATH'] = DEFAULT_PATH;
  for (const [k, v] of c.env) env[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of c.labels) labels[k] = v;
  return {
    ...(c.cmd ? { cmd: c.cmd } : {}),
    ...(c.entrypoint ? { entrypoint: c.entrypoint } : {}),
    env,
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(c.stopsignal ? { stopSignal: c.stopsignal } : {}),
    ...(c.user ? { user: c.user } : {}),
    ...(c.workdir ? { workdir: c.workdir } : {}),
  };
}

/** dnf.conf of the executor: EL9's defaults, independent of the host's /etc/dnf/dnf.conf. */
export const EXECUTOR_DNF_CONF = [
  '# Written by almac for the kickstart executor (EL defaults; the host\'s dnf.conf is not used)',
  '[main]',
  'gpgcheck=1',
  'installonly_limit=3',
  'clean_requirements_on_remove=True',
  'best=True',
  'skip_if_unavailable=False',
  '',
].join('\n');

/**
 * The kickstart's own repositories (no --repo): `url` is named after the definition's repository with
 * the same URL (else "anaconda"), and GPG settings come from the definition's repository of that name.
 */
export function kickstartRepos(ks: Kickstart, spec: ImageSpec): { repos: ResolvedRepo[]; notes: string[] } {
  const notes: string[] = [];
  const repos: ResolvedRepo[] = [];
  for (const r of ks.repos) {
    let name = r.name;
    if (r.fromUrl) {
      const def = spec.repositories.find((d) => d.baseurl && d.baseurl === r.baseurl);
      name = def?.id ?? URL_REPO_NAME;
    }
    const def = spec.repositories.find((d) => d.id === name);
    if (!r.baseurl) {
      throw new StepError(`kickstart repository ${name} uses --mirrorlist/--metalink, which the executor does not support; give --repo ${name}=URL`);
    }
    const gpg = def && def.gpgcheck && def.gpgkey ? { gpgcheck: true, gpgkey: def.gpgkey } : { gpgcheck: false };
    if (!def) notes.push(`repository ${name} (line ${r.line}) is not one of the definition's: no GPG check`);
    repos.push({ name, baseurl: r.baseurl, ...gpg });
  }
  return { repos, notes };
}

function parse(ctx: JobContext): Kickstart {
  try {
    return parseKickstart(ctx.job.generatedBytes.toString('utf8'));
  } catch (e) {
    if (e instanceof KickstartError) throw new StepError(`${ctx.job.generatedRel}:${e.line}: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  }
}

export interface KickstartRouteOptions {
  /** Image for %post --nochroot (SYSBASE, or the derived builder when --repo is given). */
  builderRef: string;
  /** Repositories as the host sees them (from --repo), or undefined for the kickstart's own. */
  repos: ResolvedRepo[] | undefined;
  executor: 'livemedia-creator' | 'almac';
}

export async function buildViaKickstart(ctx: JobContext, o: KickstartRouteOptions): Promise<string> {
  const { job } = ctx;
  const ks = parse(ctx);
  const work = job.workDir;
  if (!ctx.dryRun) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
  }
  const tar = o.executor === 'livemedia-creator' ? await runLivemediaCreator(ctx, ks, o) : await runExecutor(ctx, ks, o);
  ctx.step('import');
  const id = await ctx.engine.importRoot(tar, job.localTag, imageChanges(job.spec), ctx);
  if (!ctx.dryRun) rmSync(work, { recursive: true, force: true }); // the root and the tarball (kept when a step fails)
  return id;
}

// --- livemedia-creator ----------------------------------------------------------------------------

/** The kickstart with its url/repo lines replaced by `repos` (for --repo with livemedia-creator). */
export function rewriteKickstartRepos(text: string, repos: ResolvedRepo[], urlName: string): string {
  const lines = text.split('\n').filter((l) => !/^\s*(url|repo)\s/.test(l));
  const first = lines.findIndex((l) => l.trim() && !l.trim().startsWith('#'));
  const base = repos.find((r) => r.name === urlName) ?? repos[0];
  const add = repos.map((r) => (r === base ? `url --url=${r.baseurl}` : `repo --name=${r.name} --baseurl=${r.baseurl}`));
  lines.splice(first < 0 ? lines.length : first, 0, ...add);
  return lines.join('\n');
}

async function runLivemediaCreator(ctx: JobContext, ks: Kickstart, o: KickstartRouteOptions): Promise<string> {
  const { job } = ctx;
  let ksPath = job.generatedPath;
  if (o.repos) {
    const urlName = kickstartRepos(ks, job.spec).repos.find((_, i) => ks.repos[i]!.fromUrl)?.name ?? job.spec.repositories[0]?.id ?? '';
    ksPath = join(job.workDir, basename(job.generatedPath));
    ctx.writeFile(ksPath, rewriteKickstartRepos(job.generatedBytes.toString('utf8'), o.repos, urlName));
    ctx.note('GPG settings of --repo do not reach livemedia-creator: anaconda decides');
  }
  ctx.step('livemedia-creator');
  const result = join(job.workDir, 'lmc');
  await ctx.hostCmd(
    ['livemedia-creator', '--no-virt', '--make-tar', '--ks', ksPath, '--releasever', job.spec.releasever, '--resultdir', result,
      '--image-name', 'rootfs.tar.xz', '--logfile', join(job.workDir, 'lmc-logs', 'livemedia.log'), '--tmp', job.workDir],
    { killSafe: true, what: 'livemedia-creator' },
  );
  return join(result, 'rootfs.tar.xz');
}

// --- almac's executor -------------------------------------------------------------------------------

async function runExecutor(ctx: JobContext, ks: Kickstart, o: KickstartRouteOptions): Promise<string> {
  const { job } = ctx;
  const spec = job.spec;
  for (const c of ks.commands) {
    if (UNSUPPORTED_COMMANDS.has(c.name)) throw new StepError(`${job.generatedRel}:${c.line}: the \`${c.name}\` command changes the image and almac's kickstart executor cannot apply it (use --via containerfile, or build on a host with livemedia-creator)`);
  }
  const unsupported = ks.scripts.find((s) => s.kind === 'pre' || s.kind === 'pre-install');
  if (unsupported) throw new StepError(`${job.generatedRel}:${unsupported.line}: %${unsupported.kind} is not supported by almac's kickstart executor`);
  const ignored = [...new Set(ks.commands.filter((c) => IGNORED_COMMANDS.has(c.name)).map((c) => c.name))];
  const unknown = ks.commands.filter((c) => !IGNORED_COMMANDS.has(c.name) && !UNSUPPORTED_COMMANDS.has(c.name));
  if (unknown.length) throw new StepError(`${job.generatedRel}:${unknown[0]!.line}: unknown kickstart command \`${unknown[0]!.name}\``);
  if (ignored.length) ctx.note(`machine-install commands not applied to a container image: ${ignored.join(', ')}`);
  const onerror = ks.scripts.filter((s) => s.kind === 'onerror' || s.kind === 'traceback');
  if (onerror.length) ctx.note(`%onerror/%traceback sections are not run (line ${onerror.map((s) => s.line).join(', ')})`);
  const pk = ks.packages;
  if (!pk) throw new StepError(`${job.generatedRel}: no %packages section`);
  if (pk.excludeGroups.length) throw new StepError(`${job.generatedRel}:${pk.line}: -@group lines are not supported by almac's kickstart executor`);

  // repositories
  let repos: ResolvedRepo[];
  if (o.repos) {
    repos = o.repos;
    let replaced = ks.repos.map((r) => r.name);
    try {
      replaced = kickstartRepos(ks, spec).repos.map((r) => r.name);
    } catch {
      // a mirrorlist repository: keep the kickstart's names
    }
    ctx.note(`repositories from --repo (${repos.map((r) => r.name).join(', ')}) instead of the kickstart's (${replaced.join(', ') || 'none'})`);
  } else {
    const k = kickstartRepos(ks, spec);
    repos = k.repos;
    for (const n of k.notes) ctx.note(n);
  }
  if (!repos.length) throw new StepError(`${job.generatedRel}: no repositories (no url/repo lines and no --repo)`);
  repos = await hostGpgKeys(ctx, repos, o.builderRef);

  const root = join(job.workDir, 'root');
  const home = join(job.workDir, 'rpmhome');
  const reposDir = join(job.workDir, 'yum.repos.d');
  const conf = join(job.workDir, 'dnf.conf');
  if (!ctx.dryRun) mkdirSync(root, { recursive: true });
  ctx.writeFile(conf, EXECUTOR_DNF_CONF);
  ctx.writeFile(join(reposDir, 'almac.repo'), renderRepoFile(repos));
  ctx.writeFile(join(home, '.rpmmacros'), `%_dbpath /var/lib/rpm\n${pk.instLangs ? `%_install_langs ${pk.instLangs}\n` : ''}`);

  ctx.step(`dnf install (${pk.include.length + pk.groups.length} from %packages)`);
  const dnf = ['dnf', '-y', '--config', conf, `--setopt=reposdir=${reposDir}`, '--installroot', root, '--releasever', spec.releasever];
  if (pk.excludedocs) dnf.push('--nodocs');
  if (pk.excludeWeakdeps) dnf.push('--setopt=install_weak_deps=False');
  if (pk.ignoremissing) dnf.push('--setopt=strict=False');
  if (pk.multilib) dnf.push('--setopt=multilib_policy=all');
  for (const x of pk.exclude) dnf.push('-x', x);
  dnf.push('install', ...pk.include, ...pk.groups.map((g) => `@${g}`), ...(pk.nocore ? [] : ['@core']));
  await ctx.hostCmd(dnf, { env: { HOME: home }, killSafe: true, what: 'dnf install of %packages' });

  // %post, in file order
  const posts = ks.scripts.filter((s) => s.kind === 'post');
  let n = 0;
  for (const s of posts) {
    n++;
    ctx.checkCancelled();
    const label = `%post ${n}/${posts.length}${s.nochroot ? ' --nochroot' : ''} (line ${s.line})`;
    ctx.step(label);
    if (s.log) ctx.note(`${label}: --log=${s.log} is not written; the output is in this log`);
    const interp = s.interpreter ?? '/bin/sh';
    const shellArgs = s.interpreter ? [] : ['-eu'];
    let r;
    if (s.nochroot) {
      const script = join(job.workDir, `post-${n}.sh`);
      ctx.writeFile(script, s.body);
      const inside = `/run/almac/post-${n}.sh`;
      r = await ctx.container(o.builderRef, [interp, ...shellArgs, inside], {
        network: job.network,
        volumes: [`${root}:/mnt/sysimage`, `${script}:${inside}:ro`],
        env: { ANA_INSTALL_PATH: '/mnt/sysimage' },
        allowFailure: true,
      });
    } else {
      r = await runChrootScript(ctx, root, n, interp, shellArgs, s.body);
    }
    if (r.code !== 0) {
      if (s.erroronfail) throw new StepError(`${job.generatedRel}:${s.line}: ${label} failed (exit code ${r.code})`, r);
      ctx.note(`${label} exited with ${r.code}; not fatal (no --erroronfail)`);
    }
  }

  ctx.step('pack');
  const tar = join(job.workDir, 'rootfs.tar');
  await ctx.hostCmd(['tar', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', root, '-cf', tar, '.'], { what: 'tar of the image root' });
  return tar;
}

/**
 * gpgkey=file:///… keys that the host does not have (a Debian host has no AlmaLinux keys) are taken
 * from the builder image, which is where the Containerfile route's dnf finds them too.
 */
async function hostGpgKeys(ctx: JobContext, repos: ResolvedRepo[], builderRef: string): Promise<ResolvedRepo[]> {
  const out: ResolvedRepo[] = [];
  for (const r of repos) {
    const key = r.gpgcheck && r.gpgkey?.startsWith('file://') ? r.gpgkey.slice('file://'.length) : undefined;
    if (!key || existsSync(key)) {
      out.push(r);
      continue;
    }
    const local = join(ctx.job.workDir, 'gpg', basename(key));
    ctx.step(`GPG key ${basename(key)} from the builder`);
    const res = await ctx.container(builderRef, ['cat', key], { allowFailure: true });
    if (res.code !== 0) {
      throw new StepError(`repository ${r.name} is GPG-checked with ${r.gpgkey}, which is neither on this host nor in the builder image ${builderRef}; use a builder that has the key (--sysbase), or --no-gpgcheck`);
    }
    ctx.writeFile(local, ctx.dryRun ? '<key>' : res.stdout);
    out.push({ ...r, gpgkey: `file://${local}` });
  }
  return out;
}

async function runChrootScript(ctx: JobContext, root: string, n: number, interp: string, shellArgs: string[], body: string): Promise<ExecResult> {
  const made: string[] = [];
  const ensureDir = (d: string): void => {
    const p = join(root, d);
    if (!ctx.dryRun && !existsSync(p)) {
      mkdirSync(p, { recursive: true });
      made.push(p);
    }
  };
  for (const d of ['tmp', 'proc', 'dev']) {
    if (!ctx.dryRun && existsSync(join(root, d)) && lstatSync(join(root, d)).isSymbolicLink()) {
      throw new StepError(`the image root's /${d} is a symbolic link; the executor cannot run chroot %post sections in it`);
    }
    ensureDir(d);
  }
  const inside = `/tmp/almac-ks-post-${n}.sh`;
  ctx.writeFile(join(root, inside), body);
  try {
    // sh is PID 1 of the new namespaces: proc and dev are mounted for the script only and vanish with them
    const wrapper = 'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && root=$1 && shift && exec chroot "$root" "$@"';
    const r = await ctx.hostCmd(
      diesWithParent(['unshare', '--pid', '--fork', '--kill-child=SIGKILL', '--mount', '--propagation', 'private', '--', 'sh', '-c', wrapper, 'sh', root, interp, ...shellArgs, inside]),
      {
        env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C', TERM: 'dumb' },
        cleanEnv: true,
        allowFailure: true,
      },
    );
    return r;
  } finally {
    if (!ctx.dryRun) {
      rmSync(join(root, inside), { force: true });
      for (const p of made.reverse()) {
        try {
          rmdirSync(p);
        } catch {
          // the script put something there: keep it
        }
      }
    }
  }
}
