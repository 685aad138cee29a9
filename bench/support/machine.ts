import { readFileSync } from "node:fs";
import os from "node:os";

/** One line that says where a benchmark ran, for the results files. */
export function describeMachine(): string {
  let cpu = os.cpus()[0]?.model ?? "unknown CPU";
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // Not Linux: the os module's model name will do.
  }
  return `${os.hostname()} · ${os.cpus().length} × ${cpu.trim()} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · ${os.type()} ${os.release()} · Node ${process.version}`;
}

export function today(): string {
  return new Date().toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
