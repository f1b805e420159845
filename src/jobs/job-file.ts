// What a job file is before it is YAML: a regular file of bounded size with a printable name.
// Every reader (validate's walk, a watched folder, the agent's Git objects) hands its bytes or
// its refusal to parseJobContent, so a link, a device or a FIFO is refused the same way
// everywhere, and its target is never read (SPEC §4, "Files").

import * as nodeFs from "node:fs";
import { constants } from "node:fs";
import type { Finding } from "./findings.js";
import type { Issue } from "./issues.js";
import {
  DEFAULT_MAX_BYTES,
  type ParseOptions,
  type ParseResult,
  parseJobFile,
  tooLarge,
} from "./parse.js";

/** A job file's text, or why it cannot be one. */
export type JobFileContent = { text: string } | { refused: Finding };

export const refuse = {
  symlink: (): JobFileContent => ({
    refused: {
      rule: "file.symlink",
      message: "a symbolic link is not a job file; its target is not read",
      hint: "commit the job file itself, not a link to it",
    },
  }),
  submodule: (): JobFileContent => ({
    refused: {
      rule: "file.symlink",
      message: "a submodule is not a job file",
      hint: "commit the job file itself into this repository",
    },
  }),
  notRegular: (what: string): JobFileContent => ({
    refused: {
      rule: "file.type",
      message: `${what} is not a job file; only regular files are read`,
      hint: "make it a regular file",
    },
  }),
  size: (maxBytes: number): JobFileContent => ({ refused: tooLarge(maxBytes) }),
  unreadable: (why: string): JobFileContent => ({
    refused: { rule: "file.read", message: `cannot read the file (${why})` },
  }),
};

/** A control character in a path could forge lines wherever the name is shown. */
const CONTROL = /\p{Cc}/u;

/** Parses a file's content, or turns its refusal into the file's one error. */
export function parseJobContent(
  content: JobFileContent,
  file: string,
  options: ParseOptions,
): ParseResult {
  const shown = file.replace(/\p{Cc}/gu, "?");
  if (CONTROL.test(file)) {
    return {
      issues: [
        wholeFile(shown, {
          rule: "file.name",
          message: "the file name contains a control character (a newline, a tab, …)",
          hint: "rename the file to printable characters",
        }),
      ],
    };
  }
  if ("refused" in content) return { issues: [wholeFile(shown, content.refused)] };
  return parseJobFile(content.text, file, options);
}

const wholeFile = (file: string, f: Finding): Issue => ({
  file,
  line: 1,
  col: 1,
  severity: "error",
  rule: f.rule,
  message: f.message,
  ...(f.hint && { hint: f.hint }),
});

/** The calls the reader makes: node:fs, or memfs in the loader's tests. */
export type FileSystem = Pick<
  typeof nodeFs,
  "lstatSync" | "openSync" | "fstatSync" | "readSync" | "closeSync"
>;

type Stat = ReturnType<FileSystem["fstatSync"]>;

const kindOf = (stat: Stat): string =>
  stat.isSymbolicLink()
    ? "a symbolic link"
    : stat.isDirectory()
      ? "a folder"
      : stat.isFIFO()
        ? "a FIFO"
        : stat.isSocket()
          ? "a socket"
          : stat.isBlockDevice() || stat.isCharacterDevice()
            ? "a device"
            : "a special file";

/** Reads a job file from disk without following a link at its last path component, without
 * blocking on a FIFO and without reading more than the size cap: the file is looked at
 * (lstat), opened with O_NOFOLLOW | O_NONBLOCK | O_NOCTTY and checked again on the open
 * descriptor, so a swap between the look and the open is refused too. `regular`: the caller's
 * folder walk saw a regular file here (its directory entry says so), and the look is skipped
 * (10,000 files: ~50 ms); the open and the check on the descriptor refuse what was swapped in
 * since, as they do after a look. Synchronous: job files are small and read one after another,
 * and a thread-pool round trip per call costs more than the call. */
export function readJobFileFromDisk(
  path: string,
  options: { fs?: FileSystem; maxBytes?: number; regular?: boolean } = {},
): JobFileContent {
  const fs = options.fs ?? nodeFs;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let seen: Stat | undefined;
  if (!options.regular) {
    try {
      seen = fs.lstatSync(path) as Stat;
    } catch (err) {
      return refuse.unreadable(codeOf(err));
    }
    if (seen.isSymbolicLink()) return refuse.symlink();
    if (!seen.isFile()) return refuse.notRegular(kindOf(seen));
    if (seen.size > maxBytes) return refuse.size(maxBytes);
  }
  let fd: number;
  try {
    // O_NOCTTY: a terminal device swapped in (as a hard link) never becomes the agent's own.
    fd = fs.openSync(
      path,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY,
    );
  } catch (err) {
    return codeOf(err) === "ELOOP" ? refuse.symlink() : refuse.unreadable(codeOf(err));
  }
  try {
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) return refuse.notRegular(kindOf(opened));
    if (seen && (opened.ino !== seen.ino || opened.dev !== seen.dev))
      return refuse.unreadable("it was replaced while being read");
    if (opened.size > maxBytes) return refuse.size(maxBytes);
    // Sized by the open file; grown (up to one byte past the cap) if it grows while read.
    let buffer = Buffer.allocUnsafe(Math.min(opened.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) return refuse.size(maxBytes);
        const bigger = Buffer.allocUnsafe(Math.min(length * 2, maxBytes + 1));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      // All the bytes the descriptor counted are in: no read more to see the end (10,000
      // files: 10,000 calls fewer). A size of 0 (a /proc file) is read to the end.
      if (length === opened.size) break;
    }
    return { text: buffer.subarray(0, length).toString("utf8") };
  } catch (err) {
    return refuse.unreadable(codeOf(err));
  } finally {
    fs.closeSync(fd);
  }
}

const codeOf = (err: unknown): string =>
  (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
