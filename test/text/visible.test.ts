import { describe, expect, it } from "vitest";
import { visible } from "../../src/text/visible.js";

describe("visible", () => {
  it("shows C0, DEL and C1 control characters as \\xNN, on one line by default", () => {
    expect(visible("a\u001b[2Jb\u0007c\u007fd\u009be\nf\tg")).toBe(
      "a\\x1b[2Jb\\x07c\\x7fd\\x9be\\x0af\\x09g",
    );
  });

  it("keeps newlines and tabs with lines", () => {
    expect(visible("one\u001b[31m\ntwo\tthree\r", true)).toBe("one\\x1b[31m\ntwo\tthree\\x0d");
  });

  it("leaves other text as it is", () => {
    expect(visible("nightly-report · 0 3 * * * Europe/Amsterdam")).toBe(
      "nightly-report · 0 3 * * * Europe/Amsterdam",
    );
  });
});
