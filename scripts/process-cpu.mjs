// The CPU time this Node process and its descendants have used (the browser's processes by type, the
// receiver), read from /proc. The delivery bench prints it per phase: on a machine whose cores are
// all busy, how fast deliveries go follows how much CPU each one costs, and this says which process
// spends it. Linux only: elsewhere `processCpu()` returns null and the bench prints no split.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { basename } from "node:path";

const MS_PER_TICK = 10; // /proc counts in USER_HZ, which is 100 on Linux

/** CPU ms used so far, per process id, by this process and its descendants; null without /proc. */
export function processCpu() {
  if (!existsSync("/proc/self/stat")) return null;
  const all = new Map();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name in parentheses may hold spaces: the fields start after its last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      all.set(Number(pid), { parent: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK });
    } catch {
      // The process ended while the list was read.
    }
  }
  const descends = (pid) => {
    for (let at = pid; at > 1; at = all.get(at)?.parent ?? 0) if (at === process.pid) return true;
    return false;
  };
  const used = new Map();
  for (const [pid, { ms }] of all) {
    if (!descends(pid)) continue;
    try {
      used.set(pid, { kind: processKind(pid), ms });
    } catch {
      // Ended meanwhile.
    }
  }
  return used;
}

/** What a process is: this test driver, the receiver, or the browser process of the given type. */
function processKind(pid) {
  if (pid === process.pid) return "node (driver, app server)";
  // Chromium rewrites its command line into one space-separated string.
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/);
  if (basename(args[0]) === "webhook-receiver") return "receiver";
  const type = args.find((arg) => arg.startsWith("--type="))?.slice("--type=".length);
  if (!type) return /chrom/.test(args[0]) ? "browser" : basename(args[0]);
  if (type !== "utility") return type;
  return args.find((arg) => arg.startsWith("--utility-sub-type="))?.split(".").pop() ?? "utility";
}

/**
 * The CPU used between two `processCpu()` readings, per kind of process, largest first, with the share
 * of the machine's cores it kept busy over `elapsedMs`; null when either reading is.
 */
export function cpuBetween(before, after, elapsedMs) {
  if (!before || !after) return null;
  const byKind = new Map();
  for (const [pid, { kind, ms }] of after) {
    const spent = ms - (before.get(pid)?.ms ?? 0);
    if (spent > 0) byKind.set(kind, (byKind.get(kind) ?? 0) + spent);
  }
  const total = [...byKind.values()].reduce((sum, ms) => sum + ms, 0);
  const parts = [...byKind].sort((a, b) => b[1] - a[1]).map(([kind, ms]) => `${kind} ${ms}`);
  const busy = (100 * total) / (elapsedMs * cpus().length);
  return { total, text: `${parts.join(", ")} ms; ${total} ms in all, ${busy.toFixed(0)}% of ${cpus().length} cores` };
}
