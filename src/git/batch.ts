// The output of `git cat-file --batch`, read once for everyone who asks git for objects: the
// agent's source (blobs by id) and the status writer (files by commit and path).

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
