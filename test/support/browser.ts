import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Chromium for the browser tests, with no browser downloaded (the machines reach only the npm registry
 * and Debian's packages):
 *  1. `CHROMIUM_PATH`, when set: that binary and no other;
 *  2. Debian's `/usr/bin/chromium` (`apt-get install chromium`), when installed;
 *  3. otherwise the headless Chromium shipped inside the `@sparticuz/chromium` dev dependency, unpacked
 *     once into a folder of the system's temporary directory named by the package's version.
 * If none launches, `launchChromium` throws, naming each browser it tried and why it failed: the tests
 * fail, they are never skipped.
 */

/**
 * Flags for a headless run as root on a machine without a display, a GPU or outside network; the same for
 * every browser. `@sparticuz/chromium`'s own `args` are for AWS Lambda (`--single-process`, `--no-zygote`,
 * `--disable-web-security`, no site isolation) and would make the page run unlike in a real browser; its
 * binary (headless_shell) needs none of them here. It takes its fonts from the machine's fontconfig
 * (Debian's DejaVu, which has Cyrillic), as Debian's Chromium does.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
// Unpacking takes about 3.5 s and a launch about 1 s here; both together stay under vitest's 60 s hook timeout.
const LAUNCH_TIMEOUT_MS = 30_000;
const UNPACK_TIMEOUT_MS = 25_000;
/** An unpacking folder older than this was left by a run that was killed. */
const STALE_PARTIAL_MS = 10 * 60_000;

type PersistentContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;
/** Playwright's options for the page (viewport, locale, …); the browser, headless mode and flags are ours. */
export type ChromiumOptions = Omit<PersistentContextOptions, 'executablePath' | 'headless' | 'args'>;

export interface LaunchedChromium {
  context: BrowserContext;
  /** Which browser runs, e.g. "Debian's Chromium (/usr/bin/chromium) 156.0.8078.108". */
  description: string;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

interface Candidate {
  name: string;
  /** The binary's path, or why there is none. */
  locate(): Promise<string>;
}

/**
 * Launches Chromium headless with a fresh profile (`--user-data-dir` in a new temporary folder).
 * Throws, with every browser tried and what went wrong, when none can be launched.
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<LaunchedChromium> {
  const failures: string[] = [];
  let launchFailed = false;
  for (const candidate of candidates()) {
    let executablePath: string;
    try {
      executablePath = await candidate.locate();
    } catch (error) {
      failures.push(`${candidate.name}: ${message(error)}`);
      continue;
    }
    const profile = mkdtempSync(path.join(tmpdir(), 'ccm-chromium-profile-'));
    try {
      const context = await chromium.launchPersistentContext(profile, {
        timeout: LAUNCH_TIMEOUT_MS,
        ...options,
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      const version = context.browser()?.version();
      const description = `${candidate.name} (${executablePath})${version ? ` ${version}` : ''}`;
      if (launchFailed) {
        console.warn(`Browser tests use ${description}; before it:\n  ${failures.join('\n  ')}`);
      }
      return {
        context,
        description,
        close: async () => {
          try {
            await context.close();
          } finally {
            rmSync(profile, { recursive: true, force: true });
          }
        },
      };
    } catch (error) {
      rmSync(profile, { recursive: true, force: true });
      launchFailed = true;
      failures.push(`${candidate.name} (${executablePath}) did not launch: ${message(error)}`);
    }
  }
  throw new Error(
    [
      'No Chromium could be launched for the browser tests' + (process.env.CI ? ' (CI)' : '') + ':',
      ...failures.map((failure) => `  - ${failure}`),
      "Run `npm ci` (it installs @sparticuz/chromium), install Debian's Chromium (`apt-get install chromium`),",
      'or set CHROMIUM_PATH to a Chromium binary.',
    ].join('\n'),
  );
}

function candidates(): Candidate[] {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    return [{ name: 'CHROMIUM_PATH', locate: async () => existingFile(fromEnv) }];
  }
  return [
    { name: "Debian's Chromium", locate: async () => existingFile(DEBIAN_CHROMIUM) },
    { name: 'the Chromium of @sparticuz/chromium', locate: unpackBundledChromium },
  ];
}

function existingFile(file: string): string {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  return file;
}

/**
 * The package's `executablePath()` inflates its brotli'd Chromium (with the SwiftShader libraries it
 * needs beside it and its fonts) into `os.tmpdir()`, as `/tmp/chromium` etc., and takes an existing
 * `/tmp/chromium` as done: a half-written file from a killed run, or another version's, would be used as
 * it is. So it runs in a child process whose TMPDIR is a new folder, which is then renamed, complete, to
 * a folder named by the package's version; later runs take that folder as it is (about 3.5 s saved).
 */
async function unpackBundledChromium(): Promise<string> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('@sparticuz/chromium');
  } catch {
    throw new Error('@sparticuz/chromium is not installed (a dev dependency: run `npm ci`)');
  }
  // The entry is <package>/build/cjs/index.cjs; the package does not export its package.json.
  const manifest = path.join(path.dirname(entry), '..', '..', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const folder = path.join(tmpdir(), `ccm-sparticuz-chromium-${version}`);
  const executable = path.join(folder, 'chromium');
  if (existsSync(executable)) return executable;

  removeStalePartials(folder);
  const partial = mkdtempSync(`${folder}.partial-`);
  try {
    const script = `require(${JSON.stringify(entry)}).executablePath().then((p) => process.stdout.write(p))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, TMPDIR: partial },
      timeout: UNPACK_TIMEOUT_MS,
    });
    if (stdout !== path.join(partial, 'chromium')) {
      throw new Error(`@sparticuz/chromium unpacked to ${stdout}, not to ${partial}`);
    }
    try {
      renameSync(partial, folder);
    } catch (error) {
      // Another test process finished first: its folder is as good as ours.
      if (!existsSync(executable)) throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return executable;
}

function removeStalePartials(folder: string): void {
  const prefix = `${path.basename(folder)}.partial-`;
  for (const name of readdirSync(path.dirname(folder))) {
    if (!name.startsWith(prefix)) continue;
    const stale = path.join(path.dirname(folder), name);
    try {
      if (Date.now() - statSync(stale).mtimeMs > STALE_PARTIAL_MS) {
        rmSync(stale, { recursive: true, force: true });
      }
    } catch {
      // Gone already.
    }
  }
}

/** The error's message, its later lines (Playwright's launch log) indented under the first. */
function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim().split('\n').join('\n      ');
}
