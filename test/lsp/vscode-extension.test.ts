// The VS Code extension under editors/vscode/ loads the grammar (a copy of grammar/alma.tmLanguage.json
// that must stay identical), declares the language with the lexer's comment and bracket characters,
// and its indentation rules agree with how the real definitions are laid out by `almac fmt`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSources } from '../../src/project-files.js';
import { REPO_ROOT } from '../helpers/paths.js';

const EXT = join(REPO_ROOT, 'editors/vscode');
const manifest = JSON.parse(readFileSync(join(EXT, 'package.json'), 'utf8'));
const languageConfig = JSON.parse(readFileSync(join(EXT, 'language-configuration.json'), 'utf8'));

describe('VS Code extension', () => {
  it('contributes the alma language for .alma files, with its configuration and grammar', () => {
    const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'alma');
    expect(lang.extensions).toEqual(['.alma']);
    expect(existsSync(join(EXT, lang.configuration))).toBe(true);
    const g = manifest.contributes.grammars.find((x: { language: string }) => x.language === 'alma');
    expect(g.scopeName).toBe('source.alma');
    const shipped = readFileSync(join(EXT, g.path), 'utf8');
    expect(shipped, 'editors/vscode/syntaxes/ must be a copy of grammar/alma.tmLanguage.json: cp grammar/alma.tmLanguage.json editors/vscode/syntaxes/').toBe(readFileSync(join(REPO_ROOT, 'grammar/alma.tmLanguage.json'), 'utf8'));
    expect(JSON.parse(shipped).scopeName).toBe('source.alma');
  });

  it('starts `almac lsp` from a client script that parses', () => {
    expect(manifest.main).toBe('./extension.js');
    expect(Object.keys(manifest.dependencies)).toEqual(['vscode-languageclient']);
    const src = readFileSync(join(EXT, 'extension.js'), 'utf8');
    expect(src).toContain("args: ['lsp']");
    const r = spawnSync(process.execPath, ['--check', join(EXT, 'extension.js')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('uses the lexer\'s comment and brackets, and indents as the formatter does', () => {
    expect(languageConfig.comments).toEqual({ lineComment: '#' });
    expect(languageConfig.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
    const increase = new RegExp(languageConfig.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(languageConfig.indentationRules.decreaseIndentPattern);
    const lines = [...readSources(REPO_ROOT).sources.values()].flatMap((t) => t.split('\n'));
    let inTextBlock = false;
    for (let i = 0; i + 1 < lines.length; i++) {
      const [a, b] = [lines[i]!, lines[i + 1]!];
      const indent = (l: string) => l.length - l.trimStart().length;
      if ((a.split('"""').length - 1) % 2 === 1) inTextBlock = !inTextBlock;
      if (inTextBlock || a.includes('"""') || !a.trim() || !b.trim() || a.trimStart().startsWith('#')) continue;
      if (indent(b) > indent(a) && !a.trimEnd().endsWith('\\')) expect(increase.test(a), `increase after: ${a}`).toBe(true);
      if (b.trimStart().startsWith('}') || b.trimStart().startsWith(']')) expect(decrease.test(b)).toBe(true);
    }
  });
});
