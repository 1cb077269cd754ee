/** The ES module text of one TypeScript file, from the bench loader's cache or transpiled into it. */
export declare function transpileCached(path: string): Promise<string>;
/** Transpiles every non-test `.ts` file of the given repository folders into the cache; returns how many files it saw. */
export declare function prewarm(folders?: readonly string[]): Promise<number>;
