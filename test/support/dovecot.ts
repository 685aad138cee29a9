import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

export const dovecotBinary = "/usr/sbin/dovecot";

/** Whether Debian's Dovecot (`dovecot-imapd`) is installed; `.ci/run` installs it. */
export const hasDovecot = existsSync(dovecotBinary);

/** A port nobody listens on right now (the kernel's choice), for a server we cannot start on port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private Dovecot IMAP server for one test file: its own configuration, users (passwd-file) and
 * maildirs in a temporary folder, plaintext login on 127.0.0.1 at a random port. Works as root (mail
 * is then kept under the `nobody` user, as Dovecot refuses uid 0) and as an ordinary user.
 */
export async function startDovecot(props: { users: Record<string, string> }) {
  const dir = mkdtempSync(path.join(tmpdir(), "konversa-dovecot-"));
  const me = userInfo();
  const isRoot = me.uid === 0;
  const mailUid = isRoot ? 65534 : me.uid;
  const mailGid = isRoot ? 65534 : me.gid;
  for (const sub of ["run", "state", "mail"]) mkdirSync(path.join(dir, sub), { recursive: true });
  if (isRoot) {
    // Dovecot's auth process (user dovecot) and the mail process (nobody) must reach their files.
    chmodSync(dir, 0o755);
    chownSync(path.join(dir, "mail"), mailUid, mailGid);
  }
  writeFileSync(
    path.join(dir, "passwd"),
    Object.entries(props.users)
      .map(([user, password]) => `${user}:{PLAIN}${password}::::::`)
      .join("\n"),
  );
  const port = await freePort();
  const processUser = isRoot ? "" : me.username;
  // Unprivileged, Dovecot cannot switch users: every process runs as the caller.
  const processGroup = isRoot ? "" : execFileSync("id", ["-gn"], { encoding: "utf8" }).trim();
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:${dir}/mail/%u
first_valid_uid = ${Math.min(mailUid, 1)}
last_valid_uid = 0
${processUser ? `default_login_user = ${processUser}\ndefault_internal_user = ${processUser}\ndefault_internal_group = ${processGroup}` : ""}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${dir}/mail/%u
}
service imap-login {
  ${isRoot ? "" : "chroot ="}
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
# Tests log in with wrong passwords on purpose: no growing penalty for 127.0.0.1 afterwards.
service anvil {
  ${isRoot ? "" : "chroot ="}
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}
`;
  const configFile = path.join(dir, "dovecot.conf");
  writeFileSync(configFile, config);
  const child: ChildProcess = spawn(dovecotBinary, ["-F", "-c", configFile], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A test process that dies without afterAll must not leave its Dovecot behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Dovecot did not start: ${output}${logOf(dir)}`);
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Dovecot did not answer on ${port}: ${output}${logOf(dir)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: "127.0.0.1",
    port,
    dir,
    log: () => logOf(dir),
    async close() {
      process.off("exit", killOnExit);
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function logOf(dir: string): string {
  const file = path.join(dir, "dovecot.log");
  return existsSync(file) ? `\n${readFileSync(file, "utf8")}` : "";
}

async function answers(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("* OK"));
    });
    socket.once("error", () => resolve(false));
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export type Dovecot = Awaited<ReturnType<typeof startDovecot>>;
