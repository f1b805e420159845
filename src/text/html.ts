// The one HTML escaper: the status page is written with the `html` tag, which escapes every
// interpolated value unless that value is itself the output of the tag. Markup can only come
// from the literal parts of a template in this code base: no string from a job file, a run or a
// request can be spliced in as markup, because there is no function that turns a string into
// Html (the constructor takes a key this module does not export).
//
// Why a tagged template and not a template engine: EJS, Handlebars, Pug and friends compile
// templates with `new Function` (which a CSP stance against eval'd code frowns on, and which
// makes escaping a convention of the template, `<%=` versus `<%-`) and read template files from
// disk at run time (poor fit for the one-file bundle). The tag is ~80 lines, typed, and its
// escaping is not optional.
//
// Redaction happens when the tree is serialised (`renderHtml(tree, redact)`): each interpolated
// string is redacted and then escaped, so a secret is recognised in its raw form (once escaped,
// `a&b` is `a&amp;b`), and the page's own markup is never run through the redactor (a secret that
// is a plain word such as "table" would otherwise break the markup).

const KEY = Symbol("html");

export type Interpolation =
  | Html
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly Interpolation[]
  /** Evaluated when the page is written: a large part (5,000 rows) is built while the head
   * of the page is already on its way. */
  | (() => Interpolation);

/** Markup produced by the `html` tag (a branded type: nothing else can make one). */
export class Html {
  readonly #strings: readonly string[];
  readonly #values: readonly Interpolation[];
  constructor(key: symbol, strings: readonly string[], values: readonly Interpolation[]) {
    if (key !== KEY) throw new TypeError("Html is made only by the html tag");
    this.#strings = strings;
    this.#values = values;
  }
  /** Appends the serialised markup to `out`. */
  write(out: string[], redact: (text: string) => string, spill?: (out: string[]) => void): void {
    const strings = this.#strings;
    const values = this.#values;
    out.push(strings[0] as string);
    for (let i = 0; i < values.length; i++) {
      writeValue(values[i], out, redact, spill);
      out.push(strings[i + 1] as string);
    }
    spill?.(out);
  }
  /** Its literal parts and values, for the writer that can pause (writeHtmlPaced). */
  static partsOf(h: Html): [readonly string[], readonly Interpolation[]] {
    return [h.#strings, h.#values];
  }
  /** The markup without redaction (tests, and markup with no data in it). */
  toString(): string {
    return renderHtml(this);
  }
}

function writeValue(
  v: Interpolation,
  out: string[],
  redact: (text: string) => string,
  spill?: (out: string[]) => void,
): void {
  if (v === null || v === undefined || v === false || v === true) return;
  if (v instanceof Html) v.write(out, redact, spill);
  else if (typeof v === "number") out.push(String(v));
  else if (typeof v === "string") out.push(escapeHtml(redact(v)));
  else if (Array.isArray(v)) for (const item of v) writeValue(item, out, redact, spill);
  else if (typeof v === "function") writeValue(v(), out, redact, spill);
  // Anything else (an object from `as` casts) is refused rather than shown as "[object Object]".
  else throw new TypeError(`cannot interpolate a ${typeof v} into HTML`);
}

const checked = new WeakSet<TemplateStringsArray>();

/** Escapes every interpolation (strings, numbers; arrays are joined; null, undefined and
 * booleans are nothing) unless it is Html. An interpolation directly after `=` (an unquoted
 * attribute value) is refused: there a space would start a new attribute. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  if (!checked.has(strings)) {
    for (const part of strings.slice(0, -1)) {
      if (/=\s*$/.test(part))
        throw new Error(`unquoted attribute value after "${part.slice(-20)}"`);
    }
    checked.add(strings);
  }
  return new Html(KEY, strings, values);
}

/** Serialises the tree in chunks of about `pieces` strings, handing each to `write` as soon as
 * it is ready: a large page's head reaches the browser while its rows are still being written. */
export function streamHtml(
  tree: Html,
  redact: (text: string) => string,
  write: (chunk: string) => void,
  pieces = 1024,
): void {
  const out: string[] = [];
  tree.write(out, redact, (o) => {
    if (o.length < pieces) return;
    write(o.join(""));
    o.length = 0;
  });
  if (out.length > 0) write(out.join(""));
}

type Frame =
  | { text: string }
  | { html: Html; strings: readonly string[]; values: readonly Interpolation[]; i: number }
  | { items: readonly Interpolation[]; i: number };

/** Like streamHtml, and lets the event loop turn between chunks, so that what the page asks for
 * at once (its stylesheet) is served while the rest of a large page is still being written. The
 * tree is walked with a stack of its own so that it can pause anywhere. Stops early when
 * `write` returns false for good (`gone()`). */
export async function writeHtmlPaced(
  tree: Html,
  redact: (text: string) => string,
  write: (chunk: string) => void,
  options: { pieces?: number; gone?: () => boolean } = {},
): Promise<void> {
  const pieces = options.pieces ?? 1024;
  const out: string[] = [];
  const stack: Frame[] = [];
  const enter = (v: Interpolation) => {
    if (v instanceof Html) {
      const [strings, values] = Html.partsOf(v);
      out.push(strings[0] as string);
      stack.push({ html: v, strings, values, i: 0 });
    } else if (Array.isArray(v)) stack.push({ items: v, i: 0 });
    else if (typeof v === "function") enter(v());
    else writeValue(v as Interpolation, out, redact);
  };
  enter(tree);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if ("text" in top) {
      out.push(top.text);
      stack.pop();
    } else if ("html" in top) {
      if (top.i >= top.values.length) stack.pop();
      else {
        const i = top.i++;
        stack.pop();
        if (top.i < top.values.length) stack.push(top);
        stack.push({ text: top.strings[i + 1] as string });
        enter(top.values[i]);
      }
    } else if (top.i >= top.items.length) stack.pop();
    else enter(top.items[top.i++]);
    if (out.length >= pieces) {
      write(out.join(""));
      out.length = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.gone?.()) return;
    }
  }
  if (out.length > 0) write(out.join(""));
}

/** Serialises the tree; `redact` is applied to each interpolated string before escaping. */
export function renderHtml(tree: Html, redact: (text: string) => string = (t) => t): string {
  const out: string[] = [];
  tree.write(out, redact);
  return out.join("");
}

const INVISIBLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const NEEDS_ESCAPE = /[&<>"'\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe in element content and in a quoted attribute value (either quote). Control and
 * bidirectional-override characters become U+FFFD, as in the Markdown escaper: they could make
 * a name read otherwise than it is. Line breaks and tabs stay (log tails keep their lines). */
export function escapeHtml(text: string): string {
  // Most values (names, times, numbers) need nothing: one test instead of two replacements.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
    .replace(INVISIBLE, (c) => (c === "\n" || c === "\t" || c === "\r" ? c : "\uFFFD"));
}
