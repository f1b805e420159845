// `git cat-file --batch` output as one reader sees it, for the source and the status writer.

import { describe, expect, it } from "vitest";
import { batchEntries } from "../../src/git/batch.js";

const oid = (c: string) => c.repeat(40);

describe("git cat-file --batch output", () => {
  it("is read in the order asked: blobs with their bytes, trees, and names git does not know", () => {
    const out = Buffer.from(
      `${oid("a")} blob 6\nhello\n\n${oid("b")} tree 0\n\nHEAD:gone.yaml missing\n${oid("c")} blob 2\n\n\n\n`,
    );
    expect(batchEntries(out).map((e) => [e.oid, e.type, e.content?.toString()])).toEqual([
      [oid("a"), "blob", "hello\n"],
      [oid("b"), "tree", ""],
      ["HEAD:gone.yaml", "missing", undefined],
      [oid("c"), "blob", "\n\n"],
    ]);
  });

  it("refuses output whose size runs past its end: no file made of half of another", () => {
    expect(() => batchEntries(Buffer.from(`${oid("a")} blob 99\nshort\n`))).toThrow(
      /printed something unexpected/,
    );
  });
});
