// Registry credentials as the Docker CLI finds them in `$DOCKER_CONFIG/config.json`:
// `credHelpers[registry]`, else `credsStore`, through `docker-credential-<name> get`; else the
// base64 `auth` (or `identitytoken`) under `auths`. Values found here are secrets: they go to the
// engine in the X-Registry-Auth header and nowhere else.

// node:fs loads its promises on first use (node:fs/promises at once, with readline): `gitcron run`
// starts sooner.
import { promises as fsPromises } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { oneLine } from "../errors.js";

/** Docker Hub's credentials are stored under this historical key. */
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Runs `docker-credential-<helper> get` with the server address on stdin; returns its stdout. */
export type CredentialHelperRunner = (
  helper: string,
  serverAddress: string,
  env: Readonly<Record<string, string | undefined>>,
) => Promise<string>;

export interface CredentialOptions {
  env: Readonly<Record<string, string | undefined>>;
  runHelper?: CredentialHelperRunner;
}

/** Credentials for `registry` (`docker.io` or `host[:port]`), or undefined for an anonymous pull.
 * Rejects with one sentence when the config file or a helper is broken. */
export async function registryAuthFor(
  registry: string,
  options: CredentialOptions,
): Promise<RegistryAuth | undefined> {
  const config = await readDockerConfig(options.env);
  if (!config) return undefined;
  const serverAddress = registry === "docker.io" ? DOCKER_HUB_AUTH_KEY : registry;
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  if (helper) {
    const run = options.runHelper ?? runCredentialHelper;
    const fromHelper = await authFromHelper(helper, serverAddress, (h, s) =>
      run(h, s, options.env),
    );
    if (fromHelper) return fromHelper;
  }
  const entry = findAuthEntry(config.auths ?? {}, registry);
  if (!entry) return undefined;
  if (entry.identitytoken)
    return { identitytoken: entry.identitytoken, serveraddress: serverAddress };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0)
      throw new Error(`the credentials for ${registry} in the Docker config.json are malformed`);
    return {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      serveraddress: serverAddress,
    };
  }
  if (entry.username && entry.password) {
    return { username: entry.username, password: entry.password, serveraddress: serverAddress };
  }
  return undefined;
}

export const dockerConfigPath = (env: Readonly<Record<string, string | undefined>>): string =>
  join(env.DOCKER_CONFIG || join(env.HOME || homedir(), ".docker"), "config.json");

async function readDockerConfig(
  env: CredentialOptions["env"],
): Promise<DockerConfigFile | undefined> {
  const path = dockerConfigPath(env);
  let text: string;
  try {
    text = await fsPromises.readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read ${path}: ${oneLine(err)}`);
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
}

/** `auths` keys may be a bare host or a URL (`https://host/v1/`), as older clients wrote them. */
function findAuthEntry(auths: NonNullable<DockerConfigFile["auths"]>, registry: string) {
  const hostOf = (key: string) => key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  const wanted = registry === "docker.io" ? "index.docker.io" : registry;
  for (const [key, entry] of Object.entries(auths)) {
    const host = hostOf(key);
    if (host === wanted || (registry === "docker.io" && host === "docker.io")) return entry;
  }
  return undefined;
}

async function authFromHelper(
  helper: string,
  serverAddress: string,
  run: (helper: string, serverAddress: string) => Promise<string>,
): Promise<RegistryAuth | undefined> {
  let out: string;
  try {
    out = await run(helper, serverAddress);
  } catch (err) {
    // The helper's way of saying "none stored": fall back to `auths`, as the CLI does.
    if (/credentials not found/i.test(String((err as Error)?.message))) return undefined;
    throw new Error(
      `the Docker credential helper docker-credential-${helper} failed: ${helperWords(err)}`,
    );
  }
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(out);
  } catch {
    // Not the parser's message: it would quote the helper's output, which holds the secret.
    throw new Error(
      `the Docker credential helper docker-credential-${helper} printed something that is not JSON`,
    );
  }
  if (!parsed.Secret) return undefined;
  // The CLI's convention: a Username of "<token>" means Secret is an identity token.
  if (parsed.Username === "<token>")
    return { identitytoken: parsed.Secret, serveraddress: serverAddress };
  return { username: parsed.Username ?? "", password: parsed.Secret, serveraddress: serverAddress };
}

/** What a failed helper said, quoted only when it looks like a message: a helper that fails
 * after printing what it found (a wrapper under `set -e`), or traces it, prints the secret. */
function helperWords(err: unknown): string {
  const said = oneLine(err);
  return /[{}]|secret|token|passw/i.test(said)
    ? "its output is not quoted, as it may hold the credentials"
    : said;
}

// The helper is looked up on the PATH of the environment given, as the CLI's would be.
// node:child_process is loaded only then (most runs never ask a helper), and as CommonJS, as
// engine.ts loads node:http: the CLI's scripts run without an import() of their own.
const runCredentialHelper: CredentialHelperRunner = async (helper, serverAddress, env) => {
  const { execFile } = process.getBuiltinModule("node:child_process");
  return new Promise<string>((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ["get"],
      { timeout: 30_000, maxBuffer: 1024 * 1024, env: env as NodeJS.ProcessEnv },
      (err, stdout, stderr) => {
        // Helpers print "credentials not found in native keychain" on stdout and exit 1.
        if (err) reject(new Error((stdout || stderr || err.message).trim()));
        else resolve(stdout);
      },
    );
    // A helper that could not be started (EMFILE, ENOENT) has no stdin to write to.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(serverAddress);
  });
};
