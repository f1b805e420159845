import { describe, expect, it } from "vitest";
import { cell, code, fenced, table } from "../../src/text/markdown.js";

describe("step summary Markdown", () => {
  it("a pipe in a cell does not split the table row", () => {
    expect(cell("a | b")).toBe("a \\| b");
    expect(code("x|y")).toBe("`x\\|y`");
  });

  it("HTML in a message is shown as text, not rendered", () => {
    expect(cell('<img src=x onerror="1"> & more')).toBe('&lt;img src=x onerror="1"&gt; &amp; more');
  });

  it("a multi-line message stays in its cell", () => {
    expect(cell("first\nsecond\r\nthird")).toBe("first<br>second<br>third");
  });

  it("backticks inside a code span get a longer fence", () => {
    expect(code("a`b")).toBe("``a`b``");
    expect(code("`x`")).toBe("`` `x` ``");
  });

  it("a fenced block outlasts any backtick run inside it", () => {
    expect(fenced("plain", "diff")).toBe("```diff\nplain\n```");
    expect(fenced("has ```` four")).toBe("`````\nhas ```` four\n`````");
  });

  it("a table has a header separator for every column", () => {
    expect(table(["a", "b"], [["1", "2"]])).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |");
  });

  it.each([
    ["see https://evil.example/login", "see https\u200B://evil.example/login"],
    ["HTTP://x.example ftp://y.example", "HTTP\u200B://x.example ftp\u200B://y.example"],
    ["go to www.evil.example now", "go to www\u200B.evil.example now"],
    ["(WWW.evil.example)", "(WWW\u200B.evil.example)"],
    ["mail help@evil.example", "mail help@\u200Bevil.example"],
    ["mailto:help@evil.example", "mailto:help@\u200Bevil.example"],
  ])("a bare URL or address is no link on GitHub: %s", (text, shown) => {
    expect(cell(text)).toBe(shown);
    // What GitHub's autolinks start from is gone: a scheme's ://, www., an address's @domain.
    expect(cell(text)).not.toMatch(/[a-z]:\/\/|www\.|@[a-z]/i);
  });
});
