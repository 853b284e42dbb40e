// End to end in a real editor: Debian's neovim, headless, with its built-in LSP client attached to
// `almac lsp`, opens a definition with a mistake and reads the diagnostics through vim.diagnostic.get().
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/paths.js';
import { copyProject, removeProject } from './client.js';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const haveNvim = nvim.status === 0;
let dir: string;

beforeAll(() => {
  dir = copyProject();
});
afterAll(() => removeProject(dir));

describe.skipIf(!haveNvim && !process.env['CI'])('neovim (built-in LSP client)', () => {
  it('shows the diagnostic of a mistake in a definition, with its code and position', () => {
    expect(haveNvim, 'nvim is installed by scripts/setup-engine.sh').toBe(true);
    const file = join(dir, 'definitions/images/micro.alma');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  package-manager none', '  package-manager nonee'));
    const out = join(dir, 'nvim-result.json');
    const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(REPO_ROOT, 'test/lsp/neovim/diagnostics.lua')}`], {
      cwd: dir,
      env: { ...process.env, ALMAC_CLI: CLI, ALMAC_ROOT: dir, ALMAC_FILE: file, ALMAC_OUT: out, HOME: dir, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.error, r.stderr).toBeUndefined();
    const result = JSON.parse(readFileSync(out, 'utf8')) as { ok: boolean; diagnostics: { lnum: number; col: number; end_col: number; message: string; code?: string; source: string; severity: number }[] };
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toHaveLength(1);
    const d = result.diagnostics[0]!;
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('package-manager nonee'));
    expect(d).toMatchObject({ lnum: line, col: 18, end_col: 23, source: 'almac', severity: 1 });
    expect(d.message).toContain('is not a valid `package-manager`');
    expect(d.message).toContain('did you mean `none`?');
  }, 90_000);
});
