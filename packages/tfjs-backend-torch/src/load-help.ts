// What a user is told when the native addon does not load: one line naming what is missing and
// the apt-get line that fixes it. The same file is in strata-ml-torch and strata-ml-xgboost on purpose:
// each native package installs and loads alone (a user may have one without the other), and a third
// package for these few lines would be one more thing to bundle and version.
import { sep } from "node:path";

/** What the prebuilt addon of a package needs, for the message. */
export interface AddonNeeds {
  /** The package, e.g. "strata-ml-torch". */
  readonly pkg: string;
  /** The library in words, e.g. "libtorch 1.13". */
  readonly library: string;
  /** The sonames the addon links, e.g. /^lib(torch|torch_cpu|c10)\.so/. */
  readonly sonames: RegExp;
  /** The Debian 12 runtime packages that provide them, e.g. "libtorch1.13 libopenblas0". */
  readonly runtime: string;
  /** What a build from source needs, e.g. "libtorch-dev g++". */
  readonly dev: string;
}

/** The platform the prebuilt addons are for (Debian 12's libraries, x86-64). */
export const PREBUILT_PLATFORM = "linux-x64";

/**
 * The one-line reason why `addonPath` did not load (`error` is the require's error, or undefined
 * when the file is missing), with the fix. `platform` is `${process.platform}-${process.arch}`.
 */
export function addonFailure(
  needs: AddonNeeds,
  addonPath: string,
  error: unknown,
  platform = `${process.platform}-${process.arch}`,
): string {
  const { pkg } = needs;
  // Inside node_modules the package was installed (npm rebuild reruns its install step);
  // elsewhere it is strata's own repository, which builds with npm run build.
  const installed = addonPath.includes(`${sep}node_modules${sep}`);
  const build = `apt-get install ${needs.dev}, then ${installed ? "npm rebuild strata-ml" : "npm run build"}`;
  if (!platform.startsWith("linux-"))
    return `${pkg}: no native ${needs.library} addon for ${platform}: the prebuilt one is for ${PREBUILT_PLATFORM} and building one needs Linux`;
  if (error === undefined) return `${pkg}: the ${needs.library} addon is not built; to build it: ${build}`;
  if (platform !== PREBUILT_PLATFORM)
    return `${pkg}: the prebuilt ${needs.library} addon is for ${PREBUILT_PLATFORM}, not ${platform}; to build one here: ${build}`;
  const reason = oneLine(error instanceof Error ? error.message : String(error), addonPath);
  const missing = /([^\s:/]+\.so[.\d]*): cannot open shared object file/.exec(reason)?.[1];
  const runtime = `apt-get install ${needs.runtime}`;
  if (missing && needs.sonames.test(missing))
    return `${pkg}: ${needs.library} is not installed (${missing} not found); ${runtime} (Debian 12), or for another version: ${build}`;
  if (missing)
    return `${pkg}: ${missing}, which ${needs.library} needs, is not installed; ${runtime} (Debian 12)`;
  return `${pkg}: the prebuilt ${needs.library} addon (${PREBUILT_PLATFORM}, Debian 12) does not load here (${reason}); to build one for this system: ${build}`;
}

/** The loader's message on one line, without the addon's own path. */
function oneLine(message: string, addonPath: string): string {
  return message
    .split(`${addonPath}: `)
    .join("")
    .split(addonPath)
    .join("the addon")
    .replace(/\s+/g, " ")
    .trim();
}
