// The published JSON Schema, compiled once per process, and its errors turned
// into findings a person can act on.

import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { closest } from "../text/closest.js";
import { type Findings, fieldLabel } from "./findings.js";
import { forbiddenField } from "./forbidden.js";
import { compileJobValidator } from "./job-validator.js";
import { enumHint, pastedField, typeHint } from "./pasted.js";
import { pointerSegments } from "./positions.js";

// Validating thousands of files must not compile per file: once per process.
let compiled: ValidateFunction | undefined;

/** Validates `data` against the schema, adding one finding per schema error. Returns true when valid. */
export function checkSchema(data: unknown, findings: Findings): boolean {
  compiled ??= compileJobValidator();
  const validate = compiled;
  if (validate(data)) return true;
  // Where each list of allowed fields was given: once per file and mapping is enough.
  const listed = new Map<string, number>();
  // A value that fits none of a oneOf's shapes fails each the same way: say it once.
  const said = new Set<string>();
  for (const error of validate.errors ?? []) {
    // `if` only says that its `then`/`else` failed, which is reported on its own.
    if (error.keyword === "if") continue;
    const key = `${error.instancePath} ${error.keyword} ${JSON.stringify(error.params)}`;
    if (said.has(key)) continue;
    said.add(key);
    if (findings.full) findings.leaveOut("error");
    else reportSchemaError(error, findings, listed);
  }
  return false;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  null: "empty",
};

/** Messages for patterns, keyed by where the pattern sits in the schema. */
const PATTERN_TEXT: Record<string, { what: string; hint: string }> = {
  "#/properties/name/pattern": {
    what: "is not a DNS label",
    hint: "use lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit",
  },
  "#/properties/image/pattern": {
    what: "is not an image reference",
    hint: "write e.g. ghcr.io/acme/report:1.4.2 (lowercase repository, optional :tag and @sha256:digest)",
  },
  "#/$defs/duration/pattern": {
    what: "is not a duration",
    hint: "write e.g. 90s, 15m, 1h30m or 2d",
  },
  "#/properties/resources/properties/memory/pattern": {
    what: "is not a memory size",
    hint: "write e.g. 256Mi, 1Gi, 512M, or a number of bytes",
  },
  "#/properties/workingDir/pattern": { what: "must be an absolute path", hint: "start it with /" },
  "#/$defs/containerPath/pattern": {
    what: "must be an absolute path in the container",
    hint: "start it with /, e.g. /data",
  },
  "#/$defs/hostPathMount/properties/hostPath/pattern": {
    what: "must be an absolute path",
    hint: "start it with /",
  },
  "#/properties/network/pattern": {
    what: "is not a Docker network name",
    hint: "name a network created with `docker network create`",
  },
  "#/properties/user/pattern": {
    what: "is not a user",
    hint: 'write a name or uid, optionally with a group: "1000:1000"',
  },
  "#/$defs/volumeMount/properties/volume/pattern": {
    what: "is not a Docker volume name",
    hint: "use letters, digits, '_', '.' and '-'",
  },
  "#/$defs/envValue/then/properties/fromEnv/pattern": {
    what: "is not an environment variable name",
    hint: "use letters, digits and '_', not starting with a digit",
  },
};

const show = (value: unknown): string =>
  typeof value === "string" ? `"${value}"` : JSON.stringify(value);

function reportSchemaError(
  error: ErrorObject,
  findings: Findings,
  listed: Map<string, number>,
): void {
  const path = pointerSegments(error.instancePath);
  const label = fieldLabel(path) || "the job";
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required": {
      const missing = String(params.missingProperty);
      const where = path.length ? ` in ${label}` : "";
      findings.add("error", path, "value", {
        rule: "schema.required",
        message: `missing required field "${missing}"${where}`,
      });
      return;
    }
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const topLevel = path.length === 0;
      const known =
        (topLevel && forbiddenField(key)) ||
        (topLevel && pastedField(key, (error.data as Record<string, unknown>)[key]));
      const finding = known || unknownField(key, label, !topLevel, allowed, listed.get(label));
      findings.add("error", [...path, key], "key", finding);
      if (!known && finding.hint?.startsWith("allowed fields") && !listed.has(label))
        listed.set(label, findings.issues.at(-1)?.line ?? 1);
      return;
    }
    case "propertyNames": {
      const key = String(params.propertyName);
      findings.add("error", [...path, key], "key", {
        rule: "schema.propertyNames",
        message: `${label} key "${key}" is not a valid name`,
        hint:
          path[0] === "env"
            ? "use letters, digits and '_', not starting with a digit"
            : "use letters, digits, '.', '_', '/' and '-'",
      });
      return;
    }
    case "pattern": {
      // propertyNames reports the bad key itself; its inner pattern error adds nothing.
      if (error.schemaPath.includes("/propertyNames/")) return;
      const text = PATTERN_TEXT[error.schemaPath];
      findings.add("error", path, "value", {
        rule: "schema.pattern",
        message: `${label} ${show(error.data)} ${text?.what ?? `must match ${String(params.pattern)}`}`,
        ...(text ? { hint: text.hint } : {}),
      });
      return;
    }
    case "type": {
      const types = String(params.type)
        .split(",")
        .map((t) => TYPE_WORDS[t] ?? t);
      // A bare number where a duration goes: the unit is what is missing.
      const duration = typeof error.data === "number" && DURATION_FIELDS.has(String(path.at(-1)));
      const hint = duration
        ? `write the duration with its unit, e.g. ${error.data}s or ${error.data}m`
        : typeHint(path, error.data);
      findings.add("error", path, "value", {
        rule: "schema.type",
        message: `${label} must be ${anyOf(types)}, not ${describe(error.data)}`,
        ...(hint && { hint }),
      });
      return;
    }
    case "const": {
      findings.add("error", path, "value", {
        rule: "schema.const",
        message: `${label} can only be ${show(params.allowedValue)} here, not ${show(error.data)}`,
        ...(path[0] === "notify" && {
          hint: "leave notify out for every notification, or list them: notify: { on: [failure] }",
        }),
      });
      return;
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = enumHint(path.at(-1), error.data, allowed);
      findings.add("error", path, "value", {
        rule: "schema.enum",
        message: `${label} must be one of ${allowed.join(", ")}, not ${show(error.data)}`,
        ...(hint && { hint }),
      });
      return;
    }
    default:
      findings.add("error", path, "value", {
        rule: `schema.${error.keyword}`,
        message: `${label} ${error.message ?? "is invalid"}`,
      });
  }
}

/** Fields whose value is a duration such as 15m. */
const DURATION_FIELDS = new Set(["timeout", "startingDeadline", "backoff", "expectSuccessWithin"]);

/** ["a string", "a list"] → "a string or a list"; three or more get commas. */
const anyOf = (words: string[]): string =>
  words.length > 2 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : words.join(" or ");

function describe(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${show(value)}`;
}

/** "Did you mean", else the allowed fields: listed in full once, then pointed back to. */
function unknownField(
  key: string,
  label: string,
  nested: boolean,
  allowed: string[],
  listedOnLine: number | undefined,
) {
  const suggestion = closest(key, allowed);
  const of = nested ? ` of ${label}` : "";
  const hint = suggestion
    ? `did you mean "${suggestion}"?`
    : listedOnLine === undefined
      ? `allowed fields${of}: ${allowed.join(", ")}`
      : `see the allowed fields${of} listed on line ${listedOnLine}`;
  return {
    rule: "schema.unknown",
    message: `unknown field "${key}"${nested ? ` in ${label}` : ""}`,
    hint,
  };
}
