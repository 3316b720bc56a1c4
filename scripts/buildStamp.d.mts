// Types for scripts/buildStamp.mjs (plain JavaScript: it runs before any build exists).
export declare const root: string;
export declare const stampFile: string;
export declare const isStale: (dir?: string) => boolean;
