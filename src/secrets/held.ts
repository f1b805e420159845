// Every secret value the agent holds (SPEC §4): what its one redactor must know.

import { matchesGlob } from "../text/glob.js";
import { credentialsOf } from "../text/url-credentials.js";
import { createRedactor, MIN_AGENT_SECRET_LENGTH, type Redactor } from "./redactor.js";

/** The settings that hold secrets (the agent's settings have these fields, and more). */
export interface HeldSettings {
  repo: string;
  statusRepo: string | undefined;
  policy: { secretEnv: readonly string[] };
  gitToken: string | undefined;
  webhookSecret: string | undefined;
  apiToken: string | undefined;
  notify: readonly string[];
  notifySecret: string | undefined;
}

/** The secrets given by name — a --secret-env variable or a setting — as [name, value]. */
function namedSecrets(
  settings: HeldSettings,
  env: Readonly<Record<string, string | undefined>>,
): [string, string][] {
  const named: [string, string | undefined][] = [
    ...Object.entries(env).filter(([name]) => matchesGlob(name, settings.policy.secretEnv)),
    ["GITCRON_GIT_TOKEN", settings.gitToken],
    ["--webhook-secret", settings.webhookSecret],
    ["--api-token", settings.apiToken],
    ["--notify-secret", settings.notifySecret],
  ];
  return named.filter((entry): entry is [string, string] => !!entry[1]);
}

export function heldSecrets(
  settings: HeldSettings,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return [
    ...namedSecrets(settings, env).map(([, value]) => value),
    ...credentialsOf(settings.repo),
    ...credentialsOf(settings.statusRepo),
    // A webhook URL is its own credential (Slack's, for one): whole, and its credentials.
    ...settings.notify.flatMap((url) => [url, ...credentialsOf(url)]),
  ];
}

/** A warning to log at start-up naming the secrets too short to be masked agent-wide (never
 * their values); undefined when there are none. */
export function shortSecretsWarning(
  settings: HeldSettings,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const short = namedSecrets(settings, env)
    .filter(([, value]) => value.length < MIN_AGENT_SECRET_LENGTH)
    .map(([name]) => name);
  if (short.length === 0) return undefined;
  return (
    `${short.join(", ")} ${short.length > 1 ? "are" : "is"} shorter than ${MIN_AGENT_SECRET_LENGTH} characters: ` +
    "not masked in the agent's log, status branch or HTTP answers (a run's own fromEnv values " +
    "still are, in its output); use a longer value"
  );
}

/** The agent's one redactor: every secret it holds, values shorter than
 * MIN_AGENT_SECRET_LENGTH left alone (they would mask ordinary words everywhere). */
export const agentRedactor = (
  settings: HeldSettings,
  env: Readonly<Record<string, string | undefined>>,
): Redactor => createRedactor(heldSecrets(settings, env), { minLength: MIN_AGENT_SECRET_LENGTH });
