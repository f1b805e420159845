// `gitcron schema`: the published JSON Schema of a job file, for editors and other tools.

import { readSchemaText } from "../jobs/schema-text.js";
import { type Command, parseFlags } from "./command.js";

export const command: Command = {
  name: "schema",
  summary: "print the job file JSON Schema",
  help: `Usage: gitcron schema

Print the JSON Schema (draft 2020-12) of a job file on stdout.

Editors that speak the YAML language server pick it up from a first line such as
  # yaml-language-server: $schema=../schema/job.schema.json
`,
  async run(argv, io) {
    parseFlags(argv, {}, false);
    io.stdout.write(readSchemaText());
    return 0;
  },
};
