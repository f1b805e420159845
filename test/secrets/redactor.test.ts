// The one redactor sees a secret in every form it takes on the way out: a value escaped for a
// page or for the status README before the final pass is still masked.

import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/secrets/redactor.js";
import { escapeHtml } from "../../src/text/html.js";
import { cell, code } from "../../src/text/markdown.js";

// Characters each escaper rewrites: HTML's & < > " ', Markdown's \ ` * _ [ ] ~ |.
const SECRET = `p<a&s"s'w>o|r\\d_[x]`;

describe("the final redaction pass", () => {
  const redactor = createRedactor([SECRET]);

  it.each([
    ["as is", (s: string) => s, "***"],
    ["in a JSON string", (s: string) => JSON.stringify(s), '"***"'],
    ["in a URL", (s: string) => encodeURIComponent(s), "***"],
    ["escaped for a page", escapeHtml, "***"],
    ["in a README table cell", cell, "***"],
    ["in a README code span", code, "`***`"],
  ])("masks a secret %s", (_, form, masked) => {
    expect(redactor.redact(`before ${form(SECRET)} after`)).toBe(`before ${masked} after`);
  });
});
