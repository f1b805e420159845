// Credentials in URLs never print (SPEC §4): found by reading the URL's parts, so a password
// holding an unencoded `/`, `@`, `#` or `?` is removed whole, in a URL given alone (the Action's
// status-repo) and in any text (git's messages, log lines).

import { describe, expect, it } from "vitest";
import { oneLine, sanitize } from "../../src/errors.js";
import { agentRedactor } from "../../src/secrets/held.js";
import { resolveSettings } from "../../src/settings.js";
import {
  credentialsOf,
  urlsWithoutCredentials,
  withoutCredentials,
} from "../../src/text/url-credentials.js";

describe("withoutCredentials", () => {
  it.each([
    // As before.
    ["https://x-access-token:ghp_tok3n@github.com/o/r.git", "https://***@github.com/o/r.git"],
    ["ssh://git@host:22/o/r", "ssh://***@host:22/o/r"],
    // A password holding what a URL gives a meaning.
    ["https://bot:pa/ss@git.example/o/r.git", "https://***@git.example/o/r.git"],
    ["https://bot:p@ss@git.example/o/r.git", "https://***@git.example/o/r.git"],
    ["https://bot:a/b@c/d@git.example/o/r.git", "https://***@git.example/o/r.git"],
    ["https://bot:pa#ss@git.example/r", "https://***@git.example/r"],
    ["https://bot:pa?ss@git.example/r", "https://***@git.example/r"],
    ["https://bot:p&w=x@git.example/r", "https://***@git.example/r"],
    ["https://bot:pa ss@git.example/r", "https://***@git.example/r"],
    // A token as the user name, holding a slash (base64).
    ["https://AbC/dEf+g==@github.com/o/r", "https://***@github.com/o/r"],
    ["https://:only-password@git.example/r", "https://***@git.example/r"],
    // Addresses in a query are not credentials.
    [
      "smtp://u:pw@mail.example:587?from=a@example.com&to=b@example.com",
      "smtp://***@mail.example:587?from=a@example.com&to=b@example.com",
    ],
    ["smtp://mail.example?from=a@example.com", "smtp://mail.example?from=a@example.com"],
    // Neither URLs with credentials nor URLs at all: as they are.
    ["git@github.com:acme/jobs.git", "git@github.com:acme/jobs.git"],
    ["deploy@10.0.0.5:/srv/jobs.git", "deploy@10.0.0.5:/srv/jobs.git"],
    ["https://github.com/acme/jobs.git", "https://github.com/acme/jobs.git"],
    ["file:///srv/jobs.git", "file:///srv/jobs.git"],
    ["/srv/jobs.git", "/srv/jobs.git"],
  ])("%s → %s", (url, shown) => {
    expect(withoutCredentials(url)).toBe(shown);
  });

  it("credentialsOf gives the user information whole, its parts, and their decoded forms", () => {
    expect(credentialsOf("https://bot:p%40ss/w@git.example/r")).toEqual(
      expect.arrayContaining(["bot:p%40ss/w", "bot", "p%40ss/w", "p@ss/w"]),
    );
    expect(credentialsOf("git@github.com:o/r")).toEqual([]);
  });
});

describe("sanitize, over any text", () => {
  it.each([
    [
      "fatal: unable to access 'https://bot:pa/ss@git.example/r/': Could not resolve host",
      "fatal: unable to access 'https://***@git.example/r/': Could not resolve host",
    ],
    [
      "from https://bot:p@ss@git.example/r and http://u:v@h/x",
      "from https://***@git.example/r and http://***@h/x",
    ],
    ["push to git@github.com:acme/jobs.git failed", "push to git@github.com:acme/jobs.git failed"],
    // As the README's escaper writes a URL, so that it is no link.
    ["at https\u200B://u:p/w@\u200Bhost/x", "at https\u200B://***@\u200Bhost/x"],
    ["see https://example.com/docs (no user)", "see https://example.com/docs (no user)"],
  ])("%s", (text, shown) => {
    expect(sanitize(text)).toBe(shown);
    expect(oneLine(new Error(text))).toBe(shown);
  });
});

describe("the agent's redactor", () => {
  it("knows a --status-repo password holding / and @, wherever it is printed", () => {
    const settings = resolveSettings(
      { repo: "/srv/jobs.git", "status-repo": "https://ledger:s3cr/et@pw@git.example/l.git" },
      {},
      "/",
    );
    const redact = agentRedactor(settings, {});
    expect(redact.redact("the password is s3cr/et@pw")).toBe("the password is ***");
  });
});

describe("URLs in free text", () => {
  // What the scan must find: the pattern it replaced, tried at every letter (quadratic on a
  // long run of letters, which a job's output can be).
  const PATTERN = /[a-z][a-z0-9+.-]*\u200B?:\/\/[^\s'"<>`]*/gi;
  const byPattern = (text: string) =>
    text.replace(PATTERN, (url) => (url.includes("@") ? withoutCredentials(url) : url));

  it("are found as the pattern finds them, in any mix of the characters that matter", () => {
    const alphabet = [
      "a",
      "Z",
      "h",
      "1",
      "+",
      ".",
      "-",
      ":",
      "/",
      "//",
      "://",
      "@",
      " ",
      "'",
      "\u200B",
      "\u00a0",
      "\n",
      "é",
      "p:w",
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 5000; n++) {
      const text = Array.from(
        { length: next() % 30 },
        () => alphabet[next() % alphabet.length],
      ).join("");
      expect(urlsWithoutCredentials(text), JSON.stringify(text)).toBe(byPattern(text));
    }
  });

  it("lose their credentials in a long line of a job's output, and the letters around them stay", () => {
    const letters = "x".repeat(100_000);
    const line = `${letters} https://deploy:hunter2@git.example.com/r.git ${letters}://${letters}`;
    const out = urlsWithoutCredentials(line);
    expect(out).not.toContain("hunter2");
    expect(out).toBe(`${letters} https://***@git.example.com/r.git ${letters}://${letters}`);
  });
});
