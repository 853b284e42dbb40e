// Which optional parts of almac this process loaded, for launch.cts: a run that loaded the compiler
// keeps its own code cache, apart from runs that answered from the clean memo.
export const usedParts = new Set<'compiler'>();
