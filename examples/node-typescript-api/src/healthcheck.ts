// Used by the image's HEALTHCHECK: exits 0 when GET /health answers 200.
import { get } from "node:http";

const port = Number(process.env.PORT ?? 3000);
const req = get({ host: "127.0.0.1", port, path: "/health", timeout: 2000 }, (res) => {
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("error", () => process.exit(1));
req.on("timeout", () => {
  req.destroy();
  process.exit(1);
});
