// Every secret value the agent holds (SPEC §4): what its one redactor must know.

import { credentialsOf } from "../text/url-credentials.js";
import { createRedactor, MIN_AGENT_SECRET_LENGTH, type Redactor } from "./redactor.js";
import { secretEnvValues } from "./secret-env.js";

/** The settings that hold secrets (the agent's settings have these fields, and more). */
export interface SecretSettings {
  repo: string;
  statusRepo: string | undefined;
  policy: { secretEnv: readonly string[] };
  gitToken: string | undefined;
  webhookSecret: string | undefined;
  apiToken: string | undefined;
  notify: readonly string[];
  notifySecret: string | undefined;
}

export function heldSecrets(
  settings: SecretSettings,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return [
    ...secretEnvValues(env, settings.policy.secretEnv),
    ...[settings.gitToken, settings.webhookSecret, settings.apiToken, settings.notifySecret].filter(
      (v): v is string => !!v,
    ),
    ...credentialsOf(settings.repo),
    ...credentialsOf(settings.statusRepo),
    // A webhook URL is its own credential (Slack's, for one): whole, and its credentials.
    ...settings.notify.flatMap((url) => [url, ...credentialsOf(url)]),
  ];
}

/** The agent's one redactor: every secret it holds, values shorter than
 * MIN_AGENT_SECRET_LENGTH left alone (they would mask ordinary words everywhere). */
export const agentRedactor = (
  settings: Parameters<typeof heldSecrets>[0],
  env: Readonly<Record<string, string | undefined>>,
): Redactor => createRedactor(heldSecrets(settings, env), { minLength: MIN_AGENT_SECRET_LENGTH });
