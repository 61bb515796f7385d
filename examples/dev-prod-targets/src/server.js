const express = require("express");

const app = express();
const port = Number(process.env.PORT || 3000);
const mode = process.env.NODE_ENV || "development";

function hasModule(name) {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

app.get("/", (req, res) => {
  res.json({ mode, nodemon: hasModule("nodemon"), express: require("express/package.json").version });
});

app.get("/healthz", (req, res) => res.type("text").send("ok\n"));

const server = app.listen(port, () => console.log(`${mode} server on :${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
