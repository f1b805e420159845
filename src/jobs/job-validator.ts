// The schema compiled to a validating function. Compiling costs ~80 ms (ajv first compiles the
// 2020-12 meta-schema to check ours), so scripts/bundle.mjs replaces this module in the CLI and
// Action bundles with the module `precompiledJobValidator()` writes at build time.

import { Ajv2020, type Options, type ValidateFunction } from "ajv/dist/2020.js";
import standalone from "ajv/dist/standalone/index.js";
import { readSchemaText } from "./schema-text.js";

/** `verbose` gives errors their data and parent schema, which the messages quote. */
const OPTIONS: Options = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true };

function compile(options: Options): { ajv: Ajv2020; validate: ValidateFunction } {
  const ajv = new Ajv2020({ ...OPTIONS, ...options });
  return { ajv, validate: ajv.compile(JSON.parse(readSchemaText())) };
}

export const compileJobValidator = (): ValidateFunction => compile({}).validate;

/** This module's replacement: ajv's standalone code for the same schema and options, exported
 * under the same name. Its imports are ajv's small runtime helpers, resolved by the bundler. */
export function precompiledJobValidator(): string {
  const { ajv, validate } = compile({ code: { source: true, esm: true } });
  return `${standalone.default(ajv, validate)}\nexport const compileJobValidator = () => validate;\n`;
}
