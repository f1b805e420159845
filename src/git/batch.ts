// Blobs as git gives them: `git cat-file --batch`, one process for any number of objects, read
// once for everyone who asks git for objects (the agent's source, the status writer and the
// branch readers), and the blobs a partial clone lacks fetched in one request.

import type { Git, GitCall } from "./run.js";

/** One answer of the batch, in the order asked: an object's id, type and content, or `missing`
 * (`type` "missing", no content) for a name git does not know. */
export interface BatchEntry {
  oid: string;
  type: string;
  content?: Buffer;
}

/** `<oid> <type> <size>\n<content>\n`, or `<name> missing\n`, repeated. Throws on output that
 * is neither (a size past the end): never a file made of half of another. */
export function batchEntries(output: Buffer): BatchEntry[] {
  const entries: BatchEntry[] = [];
  let at = 0;
  while (at < output.length) {
    const newline = output.indexOf(0x0a, at);
    if (newline < 0) break;
    const [oid = "", type = "", size] = output.subarray(at, newline).toString().split(" ");
    at = newline + 1;
    if (type === "missing" || size === undefined) {
      entries.push({ oid, type: "missing" });
      continue;
    }
    const length = Number(size);
    if (!oid || !Number.isSafeInteger(length) || at + length > output.length)
      throw new Error("git cat-file printed something unexpected");
    entries.push({ oid, type, content: output.subarray(at, at + length) });
    at += length + 1;
  }
  return entries;
}

/** The objects `names` name (ids, or `<commit>:<path>`), in the order asked, from one
 * `git cat-file --batch`. */
export async function catBatch(
  git: Git,
  names: readonly string[],
  call: Omit<GitCall, "input"> = {},
): Promise<BatchEntry[]> {
  if (names.length === 0) return [];
  const input = `${names.join("\n")}\n`;
  return batchEntries(await git.bytes(["cat-file", "--batch"], { ...call, input }));
}

/** The blobs among `oids`, by id; other objects and unknown names left out. */
export async function readBlobs(
  git: Git,
  oids: readonly string[],
  call: Omit<GitCall, "input"> = {},
): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  for (const e of await catBatch(git, oids, call))
    if (e.type === "blob" && e.content) blobs.set(e.oid, e.content);
  return blobs;
}

/** Brings these blobs from `remote` into a partial clone (fetched with --filter=blob:none) in
 * one request, as Git's own lazy fetch asks for them, rather than one request each. Blobs
 * already here cost nothing. */
export async function fetchBlobs(git: Git, remote: string, oids: readonly string[]): Promise<void> {
  if (oids.length === 0) return;
  await git(
    [
      "-c",
      "fetch.negotiationAlgorithm=noop",
      "fetch",
      "--no-tags",
      "--no-write-fetch-head",
      "--recurse-submodules=no",
      "--filter=blob:none",
      "--stdin",
      "--",
      remote,
    ],
    { input: `${oids.join("\n")}\n` },
  );
}
