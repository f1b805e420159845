// The published schema itself: editors show its descriptions, so every property needs one.

import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, test } from "vitest";

const schema = JSON.parse(
  readFileSync(new URL("../../schema/job.schema.json", import.meta.url), "utf8"),
);

/** Every property schema in the document, with its JSON path. */
function properties(node: unknown, path: string, out: [string, Record<string, unknown>][] = []) {
  if (!node || typeof node !== "object") return out;
  const record = node as Record<string, unknown>;
  for (const [name, child] of Object.entries(
    (record.properties as Record<string, unknown>) ?? {},
  )) {
    if (child && typeof child === "object")
      out.push([`${path}.${name}`, child as Record<string, unknown>]);
  }
  for (const [key, child] of Object.entries(record)) {
    if (key === "examples") continue;
    if (child && typeof child === "object") properties(child, `${path}/${key}`, out);
  }
  return out;
}

const resolve = (s: Record<string, unknown>) =>
  typeof s.$ref === "string" && !s.description
    ? (schema.$defs[s.$ref.replace("#/$defs/", "")] as Record<string, unknown>)
    : s;

describe("schema/job.schema.json", () => {
  test("is draft 2020-12 and compiles in ajv's strict mode", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  test("every property has a description and examples", () => {
    const all = properties(schema, "#");
    expect(all.length).toBeGreaterThan(30);
    const missing = all
      .filter(([, s]) => !resolve(s).description || !Array.isArray(resolve(s).examples))
      .map(([p]) => p);
    expect(missing).toEqual([]);
  });

  test("every object refuses unknown fields", () => {
    const open: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (!node || typeof node !== "object") return;
      const record = node as Record<string, unknown>;
      if (record.properties && record.additionalProperties !== false) open.push(path);
      for (const [k, v] of Object.entries(record)) if (k !== "examples") visit(v, `${path}/${k}`);
    };
    visit(schema, "#");
    // A mount picks its shape with if/then/else; each shape is closed.
    expect(open.filter((p) => !p.endsWith("/if"))).toEqual([]);
  });

  test("each property's examples are valid for it", () => {
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
    ajv.addSchema(schema);
    const failures: string[] = [];
    let checked = 0;
    for (const [path, property] of properties(schema, "#")) {
      const validate = ajv.compile({ $ref: `${schema.$id}${jsonPointer(path)}` });
      for (const example of (resolve(property).examples as unknown[]) ?? []) {
        checked++;
        if (!validate(example)) failures.push(`${path}: ${JSON.stringify(example)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  });
});

/** `#/$defs/volumeMount.volume` (a path from `properties`) → `#/$defs/volumeMount/properties/volume`. */
const jsonPointer = (path: string) => path.replace(/\.([^./]+)$/, "/properties/$1");
