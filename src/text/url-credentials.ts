// Credentials in URLs (SPEC §4): found by reading a URL's parts, not by a pattern over its
// characters. A password may hold an unencoded `/`, `@`, `?`, `#` or space: WHATWG's parser (and
// any pattern that stops at `/`) then ends the authority inside the password and prints the
// rest as a host and a path. Here the user information ends at the URL's **last** `@`, not
// counting addresses that are values of its query (`?to=ops@example.com`): when in doubt, a
// URL is shown cut short (`https://host/a@b` → `https://***@b`) rather than a password shown.
// A scp-style remote (`git@github.com:o/r.git`) has no scheme: it is no URL here, and its user
// is not a secret.

// A zero-width space before `://` is how the README's escaper keeps a URL from being a link
// (src/text/markdown.ts): such a URL still has its credentials removed by the final pass.
const SCHEME = /^[a-z][a-z0-9+.-]*\u200B?:\/\//i;

interface UrlParts {
  /** `https://` */
  scheme: string;
  /** Everything before the `@` that ends it, or undefined when there is none. */
  userinfo: string | undefined;
  /** From the host on. */
  rest: string;
}

/** Whether the `@` at `at` is inside a `key=value` of the query (`?from=a@example.com`). */
function inQueryValue(afterScheme: string, at: number): boolean {
  const query = afterScheme.indexOf("?");
  if (query < 0 || query > at) return false;
  const field = Math.max(afterScheme.lastIndexOf("?", at), afterScheme.lastIndexOf("&", at));
  return afterScheme.slice(field + 1, at).includes("=");
}

/** `url`, all of it one URL, split at its user information. */
function splitUrl(url: string): UrlParts | undefined {
  const scheme = SCHEME.exec(url)?.[0];
  if (!scheme) return undefined;
  const afterScheme = url.slice(scheme.length);
  for (let at = afterScheme.lastIndexOf("@"); at >= 0; at = afterScheme.lastIndexOf("@", at - 1)) {
    if (!inQueryValue(afterScheme, at))
      return { scheme, userinfo: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) };
    if (at === 0) break;
  }
  return { scheme, userinfo: undefined, rest: afterScheme };
}

/** The URL with its user information shown as `***` (`https://***@host/path`). */
export function withoutCredentials(url: string): string {
  const parts = splitUrl(url);
  return parts?.userinfo === undefined ? url : `${parts.scheme}***@${parts.rest}`;
}

/** The URL with no user information at all (`https://host/path`): what names a repository,
 * whichever credentials (in the URL, in GITCRON_GIT_TOKEN, or none) reach it, and how a remote
 * is written to a repository's config or a command line (git gets the whole URL from the
 * environment). */
export function withoutUserinfo(url: string): string {
  const parts = splitUrl(url);
  return parts?.userinfo === undefined ? url : `${parts.scheme}${parts.rest}`;
}

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The user information of a URL whole, its user and password, and the pieces between the
 * characters a URL gives a meaning (`/:@?#`), each as written and decoded: the forms a redactor
 * must know. A program that reads the URL otherwise prints such a piece as a host or a path
 * (git: "Could not resolve host: <what came before the password's />"). Empty when it has none. */
export function credentialsOf(url: string | undefined): string[] {
  const userinfo = url ? splitUrl(url)?.userinfo : undefined;
  if (!userinfo) return [];
  const colon = userinfo.indexOf(":");
  const parts = [
    userinfo,
    ...(colon < 0 ? [] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)]),
  ];
  const pieces = userinfo.split(/[/:@?#]/);
  return [...new Set([...parts, ...pieces].filter(Boolean).flatMap((p) => [p, decoded(p)]))];
}

/** A URL in free text is a scheme (a letter, then letters, digits, `+`, `.` or `-`), `://`
 * (a zero-width space may stand before it), and what follows up to white space or a quote. */
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isSchemeChar = (c: number) =>
  isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;
const ENDS_URL = new Set([..."'\"<>`"].map((c) => c.charCodeAt(0)));
/** White space as `\s` reads it (Unicode's too), or a quote. */
const endsUrl = (c: number) =>
  ENDS_URL.has(c) ||
  (c <= 32 ? c >= 9 && (c <= 13 || c === 32) : c > 127 && /\s/.test(String.fromCharCode(c)));
const ZWSP = 0x200b;

/** Every URL in `text` without its user information. One pass from each `://`, back over its
 * scheme and on over the rest: a pattern tried at every letter took seconds on a long line of
 * letters (every line a job prints goes through here). */
export function urlsWithoutCredentials(text: string): string {
  let out = "";
  let done = 0;
  for (let at = text.indexOf("://"); at >= 0; at = text.indexOf("://", at + 3)) {
    if (at < done) continue;
    let schemeEnd = at;
    if (schemeEnd > done && text.charCodeAt(schemeEnd - 1) === ZWSP) schemeEnd--;
    let start = schemeEnd;
    while (start > done && isSchemeChar(text.charCodeAt(start - 1))) start--;
    while (start < schemeEnd && !isLetter(text.charCodeAt(start))) start++;
    if (start === schemeEnd) continue;
    let end = at + 3;
    while (end < text.length && !endsUrl(text.charCodeAt(end))) end++;
    const url = text.slice(start, end);
    out += text.slice(done, start) + (url.includes("@") ? withoutCredentials(url) : url);
    done = end;
  }
  return done === 0 ? text : out + text.slice(done);
}
