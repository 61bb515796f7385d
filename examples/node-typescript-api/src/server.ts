import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";

const port = Number(process.env.PORT ?? 3000);

// The query of GET /hello, validated with zod (the app's one production dependency).
const HelloQuery = z.object({
  name: z.string().trim().min(1).max(64).default("world"),
});

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body) + "\n");
}

export function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/health") {
    return send(res, 200, { status: "ok" });
  }
  if (req.method === "GET" && url.pathname === "/hello") {
    const parsed = HelloQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) {
      return send(res, 400, { error: parsed.error.issues.map((i) => i.message) });
    }
    return send(res, 200, { message: `Hello, ${parsed.data.name}!` });
  }
  send(res, 404, { error: "not found" });
}

const server = createServer(handle);
server.listen(port, () => {
  console.log(`listening on :${port} (node ${process.version}, uid ${process.getuid?.()})`);
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
