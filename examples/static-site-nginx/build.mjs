// Bundles src/main.js into dist/assets/ and copies public/ (index.html) next to it.
import { build } from "esbuild";
import { cpSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
cpSync("public", "dist", { recursive: true });
await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ["es2020"],
  outfile: "dist/assets/app.js",
  define: { BUILD_TIME: JSON.stringify(process.env.BUILD_TIME ?? "unknown") },
});
console.log("built dist/");
