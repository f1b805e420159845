// What data read from outside (a file, a status branch, a pasted manifest) is, checked before
// it is used: TypeScript's types end where JSON.parse begins.

/** A plain object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
