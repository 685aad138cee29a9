// The framework's limit on this machine: a bare Fastify answering a constant.
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
await app.listen({ port: Number(process.argv[2]), host: "127.0.0.1" });
process.stdout.write("ready\n");
