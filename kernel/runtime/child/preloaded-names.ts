// Engine exports that cells do not find preloaded, though plain Node imports them: names a
// student is likely to give a variable of their own. Preloaded, such a name hides a mistake:
// after a restart, a cell using the `t` it forgot to define again got the function `t`
// (`[Function: t]`) instead of "Cannot find name 't'". Each is a tensor method as well
// (`x.t()`, `x.to("float64")`, `x.index(i)`), which is how cells reach it.

/** Engine exports left out of the cell scope (child/main.ts, language/service.ts). */
export const NOT_PRELOADED: ReadonlySet<string> = new Set(["t", "to", "index"]);
