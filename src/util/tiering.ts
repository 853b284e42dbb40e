// V8 runs a function first in its interpreter, then as baseline code, and a function that stays hot
// is compiled again by its optimizing compiler (TurboFan) on another thread. In a command of a
// tenth of a second that last step costs more CPU than it saves, about a sixth of a cold `almac
// check` of a project of a few dozen images; in a compile of thousands of images it is what makes
// the compiler fast (turned off, a 10,000-image check takes twice as long).
//
// So src/cli/launch.cts starts the short commands (SHORT_RUN_VERBS) with the optimizing tier off
// (`--no-turbofan`: interpreter and baseline code only; set before the bundle is compiled, so that
// its code cache is made and used under the same flags), and the compiler turns it on again once it
// sees a large project (`allowOptimizingTiers`). The launcher sets its flags back before it writes
// the code cache, which V8 accepts only under the flags it was made with.

/**
 * Definitions larger than this (in characters) are compiled with V8's optimizing tier on. At 1,000
 * synthetic images (520,000 characters) a check takes the same time either way; at 10,000, twice
 * as long without it.
 */
export const OPTIMIZE_ABOVE_CHARS = 512 * 1024;

let allowed = false;

/** Turns V8's optimizing tier on for the rest of the process when `chars` of input are to be compiled. */
export function allowOptimizingTiers(chars: number): void {
  if (allowed || chars <= OPTIMIZE_ABOVE_CHARS) return;
  allowed = true; // once per process: the language server compiles at every edit
  process.getBuiltinModule('node:v8').setFlagsFromString('--turbofan');
}
