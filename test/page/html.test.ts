// The one HTML escaper: every interpolation is text unless it is the tag's own output, and
// redaction happens on the raw value, before escaping, never over the markup.

import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/secrets/redactor.js";
import {
  escapeHtml,
  Html,
  html,
  renderHtml,
  streamHtml,
  writeHtmlPaced,
} from "../../src/text/html.js";

const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror="alert(1)">'&`;

describe("the html tag", () => {
  it("escapes a string in element content", () => {
    expect(String(html`<p>${HOSTILE}</p>`)).toBe(
      "<p>&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;</p>",
    );
  });

  it("escapes both quotes in attribute values, so a value cannot end its attribute", () => {
    const out = String(html`<a title="${`" onmouseover="x`}" data-x='${"' onclick='y"}'>`);
    expect(out).toBe(`<a title="&quot; onmouseover=&quot;x" data-x='&#39; onclick=&#39;y'>`);
  });

  it("refuses an unquoted attribute value, where a space would start a new attribute", () => {
    expect(() => html`<a href=${"x onclick=alert(1)"}>`).toThrow(/unquoted attribute/);
  });

  it("nests its own output as markup, and only its own output", () => {
    const inner = html`<b>${"<i>"}</b>`;
    expect(String(html`<p>${inner}</p>`)).toBe("<p><b>&lt;i&gt;</b></p>");
    // Something shaped like Html, or a String object, is not markup.
    const forged = { write: (out: string[]) => out.push("<script>") } as unknown as Html;
    expect(() => String(html`<p>${forged}</p>`)).toThrow(TypeError);
    expect(() => new Html(Symbol("html"), ["<script>"], [])).toThrow(TypeError);
  });

  it("joins arrays, writes numbers, and leaves null, undefined and booleans out", () => {
    expect(String(html`<ul>${["<a>", html`<li>${1}</li>`, null, undefined, false]}</ul>`)).toBe(
      "<ul>&lt;a&gt;<li>1</li></ul>",
    );
  });

  it("shows control and direction-override characters as U+FFFD, keeping line breaks", () => {
    expect(escapeHtml("a\u0000b\u202ec\u0007\nd\te")).toBe("a\uFFFDb\uFFFDc\uFFFD\nd\te");
  });
});

describe("redaction at serialisation", () => {
  it("masks a secret in its raw form, even one that holds characters escaping changes", () => {
    const redactor = createRedactor(["s3cr&t<value>"]);
    const page = html`<pre>${"token=s3cr&t<value> ok"}</pre>`;
    expect(renderHtml(page, redactor.redact)).toBe("<pre>token=*** ok</pre>");
    // Escaped first, it is still caught by a redactor run over the whole page: the second line.
    expect(String(page)).toContain("s3cr&amp;t&lt;value&gt;");
    expect(redactor.redact(String(page))).toBe("<pre>token=*** ok</pre>");
  });

  it("never runs the redactor over the page's own markup (a secret that is a plain word)", () => {
    const redactor = createRedactor(["table"]);
    const page = html`<table class="table"><td>${"my table"}</td></table>`;
    expect(renderHtml(page, redactor.redact)).toBe(`<table class="table"><td>my ***</td></table>`);
  });
});

describe("a page written as it is serialised", () => {
  it("comes out in several chunks that add up to the whole page", () => {
    const redactor = createRedactor(["secret-value"]);
    const rows = Array.from(
      { length: 50 },
      (_, i) => html`<tr><td>${`row ${i} secret-value <b>`}</td></tr>`,
    );
    const page = html`<table>${rows}</table>`;
    const chunks: string[] = [];
    streamHtml(page, redactor.redact, (c) => chunks.push(c), 16);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join("")).toBe(renderHtml(page, redactor.redact));
    expect(chunks.join("")).toContain("<td>row 7 *** &lt;b&gt;</td>");
  });
});

describe("a page written with pauses", () => {
  it("writes exactly what renderHtml writes, for nested templates, arrays and late parts", async () => {
    const redactor = createRedactor(["secret-value"]);
    const rows = Array.from(
      { length: 40 },
      (_, i) =>
        html`<tr data-i="${i}"><td>${[`a ${i}`, html`<b>${"secret-value & <i>"}</b>`, null]}</td>${i % 3 === 0 ? html`<td>${i}</td>` : false}</tr>`,
    );
    const page = html`<!doctype html><table>${() => rows}</table>${html``}<p>${"end"}</p>`;
    const chunks: string[] = [];
    await writeHtmlPaced(page, redactor.redact, (c) => chunks.push(c), { pieces: 8 });
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.join("")).toBe(renderHtml(page, redactor.redact));
    expect(chunks.join("")).toContain("<b>*** &amp; &lt;i&gt;</b>");
  });
});
