#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from "commander";
import { roles } from "../platform/auth/roles.js";
import { registerImportExportCommands } from "./importExport.js";
import { registerNlpCommands } from "./nlp.js";
import { runCommand } from "./output.js";

/** The server commands load the whole application; only when one of them runs (fast --help). */
const commands = () => import("./commands.js");

const program = new Command("konversa")
  .description(
    "Konversa, the open-source Social CRM. Settings come from the environment or konversa.config.json (see README).",
  )
  .showHelpAfterError();

program
  .command("start")
  .description(
    "All in one process on the embedded database: migrate, create the demo on first run, serve UI + API.",
  )
  .action(() => runCommand(async () => (await commands()).serveCommand({ embedded: true })));
program
  .command("serve")
  .description("Serve the API and web app (scaled out: several replicas against PostgreSQL and NATS).")
  .action(() => runCommand(async () => (await commands()).serveCommand({ embedded: false })));
program
  .command("worker")
  .description("Run the pipeline workers that consume the bus (start several for more throughput).")
  .action(() => runCommand(async () => (await commands()).workerCommand()));
program
  .command("migrate")
  .description("Apply the database migrations (safe to run from several processes at once).")
  .action(() => runCommand(async () => (await commands()).migrateCommand()));

const user = program.command("user").description("Manage people who can sign in.");
user
  .command("create")
  .description("Create a person in an organization; an owner of an unknown organization creates it.")
  .requiredOption("--email <email>", "e-mail address to sign in with")
  .requiredOption("--org <slug>", "short name of the organization")
  .addOption(
    new Option("--role <role>", "role in the organization").choices([...roles]).makeOptionMandatory(),
  )
  .option("--name <name>", "display name")
  .option("--password <password>", "password (at least 10 characters); generated and printed when omitted")
  .action((options) => runCommand(async () => (await commands()).userCreateCommand(options)));

program
  .command("demo")
  .description("Load generated demo data (German and English customer conversations) into an organization.")
  .option("--org <slug>", "short name of the organization", "demo")
  .option(
    "--conversations <n>",
    "how many conversations",
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100_000)
        throw new InvalidArgumentError("give a whole number from 1 to 100000");
      return n;
    },
    160,
  )
  .action((options) => runCommand(async () => (await commands()).demoCommand(options)));

registerNlpCommands(program);
registerImportExportCommands(program);

await program.parseAsync(process.argv);
