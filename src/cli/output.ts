import { ConfigError, StartupError } from "../platform/errors.js";

/** Progress lines for long-running commands, on stderr so stdout stays machine-readable. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Runs a command and turns the errors a person can fix into one sentence and an exit code:
 * 2 for a wrong setting, 1 for a start that failed for another reason.
 */
export async function runCommand(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`konversa: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof StartupError) {
      process.stderr.write(`konversa: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    const known = error as { status?: number; message?: string };
    if (typeof known.status === "number" && known.status < 500) {
      process.stderr.write(`konversa: ${known.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`konversa: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
