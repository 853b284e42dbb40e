// The parser skips Chevrotain's grammar validations at run time (they cost a third of its
// construction at every start); they run here instead, on the same grammar.
import { describe, expect, it } from 'vitest';
import { AlmaParser } from '../../src/phases/1-parse/parser.js';

describe('the .alma grammar', () => {
  it("passes Chevrotain's grammar validations (no ambiguity, left recursion or unreachable alternative)", () => {
    const parser = new AlmaParser({ validate: true }); // throws "Parser Definition Errors detected" otherwise
    expect((parser as unknown as { definitionErrors: unknown[] }).definitionErrors).toEqual([]);
  });

  it('builds the same grammar with and without validations', () => {
    expect(new AlmaParser().getSerializedGastProductions()).toEqual(new AlmaParser({ validate: true }).getSerializedGastProductions());
  });
});
